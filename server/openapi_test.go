package server_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"asamblea/api"
	"asamblea/httpauth"
)

// TestOpenAPIMatchesRoutes fails when a route of the API is missing from the
// OpenAPI document, or the document describes a route that does not exist,
// or they disagree on whether it needs a signed-in caller.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Security *[]any `json:"security"`
		} `json:"paths"`
	}
	res := e.client().get("/api/v1/openapi.json")
	if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	documented := map[string]bool{}
	public := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			public[key] = op.Security != nil && len(*op.Security) == 0
		}
	}
	routed := map[string]bool{}
	for _, rt := range e.app.Routes() {
		if !strings.HasPrefix(rt.Pattern, api.Prefix) {
			continue
		}
		key := rt.Method + " " + rt.Pattern
		routed[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
			continue
		}
		if public[key] != (rt.Access == httpauth.Public) {
			t.Errorf("route %s: openapi says public=%v, router says %v", key, public[key], rt.Access == httpauth.Public)
		}
	}
	var extra []string
	for key := range documented {
		if !routed[key] {
			extra = append(extra, key)
		}
	}
	sort.Strings(extra)
	for _, key := range extra {
		t.Errorf("openapi.json documents %s, which no route serves", key)
	}
}
