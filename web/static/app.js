// Progressive enhancement only: every form works without this file.
// Place search: fills the datalist of an input[data-places] as people type.
(function () {
  var input = document.querySelector('input[data-places]');
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute('list'));
  var timer = null;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2 || /\(\d{6}\)$/.test(q)) return;
    timer = setTimeout(function () {
      fetch(input.dataset.places + '?limit=12&q=' + encodeURIComponent(q), {credentials: 'same-origin'})
        .then(function (r) { return r.ok ? r.json() : {places: []}; })
        .then(function (data) {
          while (list.firstChild) list.removeChild(list.firstChild);
          (data.places || []).forEach(function (p) {
            var o = document.createElement('option');
            o.value = p.label + ' (' + p.code + ')';
            list.appendChild(o);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
