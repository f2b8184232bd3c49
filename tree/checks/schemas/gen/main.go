// schema-gen turns the pinned schema sources (scripts/install-schemas) into
// the bundle the checks compile: one JSON document holding, for each
// group/version/kind, the name of its schema, and each schema reduced to
// what a validator reads (descriptions, defaults, examples and CEL rules
// dropped). The output depends on the inputs only: keys sorted, no time,
// no path.
//
// Usage: schema-gen <sources-dir> <bundle.json>
//
//	<sources-dir>/crds/*.yaml        CustomResourceDefinitions (Flux's)
//	<sources-dir>/kubernetes/*.json  Kubernetes' OpenAPI v3 documents
//	<sources-dir>/SOURCES            module, version and h1 sum, a line each
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

const refPrefix = "#/components/schemas/"

// Kept as they are (scalars or lists of scalars).
var scalarKeys = []string{
	"type", "required", "enum", "pattern", "nullable", "format",
	"x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
	"x-kubernetes-embedded-resource",
}

type bundle struct {
	Version    int               `json:"version"`
	Kinds      map[string]string `json:"kinds"`
	Labels     map[string]string `json:"labels"`
	Schemas    map[string]any    `json:"schemas"`
	ObjectMeta string            `json:"objectMeta,omitempty"`
	Sources    []string          `json:"sources"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: schema-gen <sources-dir> <bundle.json>")
		os.Exit(2)
	}
	b, err := build(os.Args[1])
	if err == nil {
		err = write(b, os.Args[2])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema-gen:", err)
		os.Exit(1)
	}
}

func build(dir string) (*bundle, error) {
	b := &bundle{Version: 1, Kinds: map[string]string{}, Labels: map[string]string{},
		Schemas: map[string]any{}}
	src, err := os.ReadFile(filepath.Join(dir, "SOURCES"))
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(src)), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.Sources = append(b.Sources, line)
		}
	}
	sort.Strings(b.Sources)
	all := map[string]any{}
	if err := readKubernetes(filepath.Join(dir, "kubernetes"), b, all); err != nil {
		return nil, err
	}
	if err := readCRDs(filepath.Join(dir, "crds"), b, all); err != nil {
		return nil, err
	}
	for kind, name := range b.Kinds {
		if strings.HasPrefix(name, "crd:") {
			continue // labelled by readCRDs
		}
		b.Labels[kind] = "Kubernetes " + b.version("k8s.io/kubernetes")
	}
	roots := []string{}
	for _, name := range b.Kinds {
		roots = append(roots, name)
	}
	if b.ObjectMeta != "" {
		roots = append(roots, b.ObjectMeta)
	}
	if err := keepReachable(roots, all, b.Schemas); err != nil {
		return nil, err
	}
	return b, nil
}

// version is the pinned version of a module, from SOURCES.
func (b *bundle) version(module string) string {
	for _, line := range b.Sources {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == module {
			return f[1]
		}
	}
	return "(unknown version)"
}

func sortedGlob(dir, pattern string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	sort.Strings(files)
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no %s in %s", pattern, dir)
	}
	return files, err
}

func gvkKey(group, version, kind string) string {
	if group == "" {
		return version + "/" + kind
	}
	return group + "/" + version + "/" + kind
}

func readKubernetes(dir string, b *bundle, all map[string]any) error {
	files, err := sortedGlob(dir, "*.json")
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var doc struct {
			Components struct {
				Schemas map[string]map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for name, s := range doc.Components.Schemas {
			if _, seen := all[name]; !seen {
				all[name] = reduce(s)
			}
			if strings.HasPrefix(name, "io.k8s.apimachinery.pkg.apis.meta.v1.") {
				if strings.HasSuffix(name, ".ObjectMeta") {
					b.ObjectMeta = name
				}
				continue // DeleteOptions, WatchEvent, Status: never applied
			}
			gvks, _ := s["x-kubernetes-group-version-kind"].([]any)
			for _, g := range gvks {
				m, _ := g.(map[string]any)
				group, _ := m["group"].(string)
				version, _ := m["version"].(string)
				kind, _ := m["kind"].(string)
				if version == "" || kind == "" {
					continue
				}
				key := gvkKey(group, version, kind)
				if old, ok := b.Kinds[key]; !ok || name < old {
					b.Kinds[key] = name
				}
			}
		}
	}
	return nil
}

func readCRDs(dir string, b *bundle, all map[string]any) error {
	files, err := sortedGlob(dir, "*.yaml")
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if doc["kind"] != "CustomResourceDefinition" {
				continue
			}
			// <controller>--<file>.yaml, from scripts/install-schemas.
			controller, _, _ := strings.Cut(filepath.Base(f), "--")
			module := "github.com/fluxcd/" + controller
			if controller == "source-watcher" {
				module += "/v2"
			}
			addCRD(doc, controller+" "+b.version(module), b, all)
		}
	}
	return nil
}

func addCRD(doc map[string]any, label string, b *bundle, all map[string]any) {
	spec, _ := doc["spec"].(map[string]any)
	group, _ := spec["group"].(string)
	names, _ := spec["names"].(map[string]any)
	kind, _ := names["kind"].(string)
	versions, _ := spec["versions"].([]any)
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		version, _ := vm["name"].(string)
		schema, _ := vm["schema"].(map[string]any)
		open, ok := schema["openAPIV3Schema"].(map[string]any)
		if !ok || version == "" || kind == "" {
			continue
		}
		name := "crd:" + gvkKey(group, version, kind)
		all[name] = reduce(open)
		b.Kinds[gvkKey(group, version, kind)] = name
		b.Labels[gvkKey(group, version, kind)] = "the CRD of " + label
	}
}

// reduce keeps what a validator reads; a `$ref` becomes the bare schema
// name, and Kubernetes' `allOf: [{$ref}]` wrapper (there to carry a
// description or a default beside a reference) becomes the reference.
func reduce(s map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range scalarKeys {
		if v, ok := s[k]; ok {
			if k == "format" && v != "int-or-string" {
				continue
			}
			out[k] = v
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		out["$ref"] = strings.TrimPrefix(ref, refPrefix)
	}
	if props, ok := s["properties"].(map[string]any); ok {
		p := map[string]any{}
		for name, v := range props {
			if m, ok := v.(map[string]any); ok {
				p[name] = reduce(m)
			}
		}
		out["properties"] = p
	}
	switch ap := s["additionalProperties"].(type) {
	case bool:
		out["additionalProperties"] = ap
	case map[string]any:
		out["additionalProperties"] = reduce(ap)
	}
	if items, ok := s["items"].(map[string]any); ok {
		out["items"] = reduce(items)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, ok := s[k].([]any)
		if !ok {
			continue
		}
		var reduced []any
		for _, v := range list {
			if m, ok := v.(map[string]any); ok {
				reduced = append(reduced, reduce(m))
			}
		}
		out[k] = reduced
	}
	if all, ok := out["allOf"].([]any); ok && len(all) == 1 {
		if m, ok := all[0].(map[string]any); ok && len(m) == 1 && m["$ref"] != nil {
			if _, typed := out["type"]; !typed && out["$ref"] == nil {
				delete(out, "allOf")
				out["$ref"] = m["$ref"]
			}
		}
	}
	return out
}

// keepReachable copies into `out` the schemas named by `roots` and every
// schema they reference.
func keepReachable(roots []string, all map[string]any, out map[string]any) error {
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := out[name]; done {
			continue
		}
		s, ok := all[name]
		if !ok {
			return fmt.Errorf("schema %q is referenced but not defined", name)
		}
		out[name] = s
		queue = append(queue, refs(s)...)
	}
	return nil
}

func refs(v any) []string {
	var found []string
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && k == "$ref" {
				found = append(found, s)
			} else {
				found = append(found, refs(x)...)
			}
		}
	case []any:
		for _, x := range t {
			found = append(found, refs(x)...)
		}
	}
	return found
}

func write(b *bundle, path string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
