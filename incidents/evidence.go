package incidents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"asamblea/errs"
	"asamblea/photos"
)

// EvidenceMax is the largest evidence file accepted.
const EvidenceMax = 10 << 20

// Evidence is a file the commission keeps with an incident. All of it is
// sealed; the store keeps only its sealed bytes and their size.
type Evidence struct {
	ID         int64  `json:"id"`
	IncidentID int64  `json:"incident_id"`
	Name       string `json:"name"` // the file name given, cleaned
	Type       string `json:"type"` // image/jpeg, image/png, image/gif, application/pdf
	SHA256     string `json:"sha256"`
	// Original is the SHA-256 of the file as uploaded, when it was
	// re-encoded; equal to SHA256 when it was kept as it came.
	Original string `json:"original_sha256"`
	Size     int    `json:"size"`
	Data     []byte `json:"-"`
	// KeptOriginal tells whether CleanEvidence was asked to keep the
	// file as it came.
	KeptOriginal bool `json:"-"`
}

// CleanEvidence checks an uploaded file and makes the evidence to keep. An
// image is re-encoded with nothing but its pixels (package photos) unless
// the commission keeps originals; a PDF is kept as it is. Anything else, an
// empty file or one over EvidenceMax is refused.
func CleanEvidence(name string, data []byte, keepOriginal bool) (Evidence, error) {
	switch {
	case len(data) == 0:
		return Evidence{}, errs.Field("file", "incident.evidence.empty")
	case len(data) > EvidenceMax:
		return Evidence{}, errs.Field("file", "incident.evidence.too_large", EvidenceMax>>20)
	}
	sum := sha256.Sum256(data)
	original := hex.EncodeToString(sum[:])
	e := Evidence{Name: cleanName(name), SHA256: original, Original: original, Size: len(data), Data: data, KeptOriginal: keepOriginal}
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		e.Type = "application/pdf"
		return e, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		e.Type = "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		e.Type = "image/png"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		e.Type = "image/gif"
	default:
		return Evidence{}, errs.Field("file", "incident.evidence.type")
	}
	if keepOriginal {
		return e, nil
	}
	p, err := photos.Clean(bytes.NewReader(data))
	if err != nil {
		switch pe := errs.As(err); {
		case pe.Key == "photo.too_many_pixels":
			return Evidence{}, errs.Field("file", "incident.evidence.too_many_pixels")
		case pe.Code == errs.Invalid:
			return Evidence{}, errs.Field("file", "incident.evidence.type")
		}
		return Evidence{}, err
	}
	e.Type, e.Data, e.SHA256, e.Size = "image/jpeg", p.Data, p.SHA256, len(p.Data)
	return e, nil
}

// cleanName keeps a file name readable and harmless: its last path element,
// printable characters only, at most 100 of them.
func cleanName(name string) string {
	if i := bytes.LastIndexAny([]byte(name), `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b []rune
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '"' || r == '<' || r == '>' {
			continue
		}
		b = append(b, r)
		if len(b) == 100 {
			break
		}
	}
	if len(b) == 0 {
		return "evidencia"
	}
	return string(b)
}
