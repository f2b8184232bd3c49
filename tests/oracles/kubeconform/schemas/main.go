// Command kubeconform-schemas turns the schema bundle of the plan-time
// checks (scripts/install-schemas, <dir>/bundle.json, made by
// tree/checks/schemas/gen) into one self-contained JSON Schema file per
// kind, for kubeconform: the tests' independent oracle for "objects against
// their schemas" (tree/checks/schema.cc, schema_check.cc).
//
// Usage: kubeconform-schemas <bundle.json> <outdir>
//
// Exit 0 with the files written, 1 on an error, 2 for a usage error.
//
// Files are <outdir>/<group>/<version>/<kind, lower case>.json, the core
// group's under <version>/<version>/ (v1/v1/configmap.json): what
// kubeconform v0.8.0 finds with
//
//	-schema-location '<outdir>/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json'
//
// since its template data (pkg/registry/registry.go) has Group = the part
// of apiVersion before "/" (the whole of "v1" for the core group) and
// ResourceKind = the kind in lower case.
//
// The schemas are the bundle's, with the checks' rules made explicit, as
// the validator compiles them (SchemaCompiler) and walks a document
// (Validator):
//   - an object with properties is closed unless it has
//     additionalProperties (true or a schema) or
//     x-kubernetes-preserve-unknown-fields; additionalProperties: false
//     closes one without properties too. Closed is written
//     "additionalProperties": false;
//   - the types of a node: int-or-string (x-kubernetes-int-or-string or
//     format int-or-string) is integer or string; without a type, those of
//     the anyOf/oneOf alternatives (Quantity: string or number), any when
//     one has none. The alternatives are not judged otherwise, so
//     anyOf/oneOf are not written; allOf parts are merged into the node
//     as the compiler merges them;
//   - null is accepted everywhere ("null" joins every type list and every
//     enum) and counts as absent for `required` (a required property that
//     is null fails a "not": {"type": "null"});
//   - the document's root and every x-kubernetes-embedded-resource accept
//     apiVersion and kind (judged by their properties when declared) and
//     read metadata as the bundle's ObjectMeta; the root's `sops` is not
//     judged;
//   - a pattern Go's regexp cannot compile is dropped (kubeconform's
//     jsonschema library would refuse the whole schema, and kubeconform
//     then treats the kind as having none).
//
// Left out: the checks do not judge strings holding "${" (post-build
// substitution) or starting "ENC[" (SOPS); no such rule is written here,
// so a corpus for the oracle must not hold them. Nor the checks' limit of
// 512 characters for pattern matching.
//
// Draft: kubeconform v0.8.0 compiles with santhosh-tekuri/jsonschema/v6
// and DefaultDraft(Draft4), so every file says draft-04 and keeps its
// named schemas under "definitions", referred to as "#/definitions/<name>"
// (a $ref never has siblings: draft 4 ignores them). That carries
// recursive schemas (JSONSchemaProps of CustomResourceDefinition).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

const draft4 = "http://json-schema.org/draft-04/schema#"

type bundle struct {
	Version    int                        `json:"version"`
	Kinds      map[string]string          `json:"kinds"`
	Schemas    map[string]json.RawMessage `json:"schemas"`
	ObjectMeta string                     `json:"objectMeta"`
}

const (
	tObject = 1 << iota
	tArray
	tString
	tInteger
	tNumber
	tBoolean
)

var typeNames = []struct {
	bit  uint8
	name string
}{{tObject, "object"}, {tArray, "array"}, {tString, "string"}, {tInteger, "integer"},
	{tNumber, "number"}, {tBoolean, "boolean"}}

// node is one schema as the checks compile it (SchemaNode).
type node struct {
	name       string // a named schema of the bundle, written as a $ref
	alias      *node  // a named schema that is only a $ref
	types      uint8  // 0: any
	open       bool
	embedded   bool
	props      []prop
	additional *node
	items      *node
	required   []string
	enum       []any
	pattern    string
}

type prop struct {
	name string
	n    *node
}

func (n *node) prop(name string) *node {
	for _, p := range n.props {
		if p.name == name {
			return p.n
		}
	}
	return nil
}

type compiler struct {
	schemas  map[string]map[string]any
	byName   map[string]*node
	dropped  map[string]bool // patterns Go's regexp refuses
	defNames map[string]string
}

func (c *compiler) named(name string) (*node, error) {
	if n, ok := c.byName[name]; ok {
		return n, nil
	}
	s, ok := c.schemas[name]
	if !ok {
		return nil, fmt.Errorf("schema %q is referenced but not in the bundle", name)
	}
	n := &node{name: name}
	c.byName[name] = n // before its children: references may be recursive
	if ref, ok := s["$ref"].(string); ok {
		a, err := c.named(ref)
		n.alias = a
		return n, err
	}
	return n, c.fill(s, n)
}

func (c *compiler) inline(v any) (*node, error) {
	s, ok := v.(map[string]any)
	if !ok {
		return nil, nil
	}
	if ref, ok := s["$ref"].(string); ok {
		return c.named(ref)
	}
	n := &node{}
	return n, c.fill(s, n)
}

func flag(s map[string]any, key string) bool {
	b, _ := s[key].(bool)
	return b
}

func types(s map[string]any) uint8 {
	if flag(s, "x-kubernetes-int-or-string") || s["format"] == "int-or-string" {
		return tInteger | tString
	}
	if t, ok := s["type"]; ok {
		name, _ := t.(string)
		for _, tn := range typeNames {
			if tn.name == name {
				return tn.bit
			}
		}
		return 0
	}
	var bits uint8
	for _, key := range []string{"anyOf", "oneOf"} {
		list, _ := s[key].([]any)
		for _, alt := range list {
			m, _ := alt.(map[string]any)
			b := uint8(0)
			if m != nil {
				b = types(m)
			}
			if b == 0 {
				return 0
			}
			bits |= b
		}
	}
	return bits
}

func (c *compiler) fill(s map[string]any, n *node) error {
	n.types = types(s)
	n.embedded = flag(s, "x-kubernetes-embedded-resource")
	props, _ := s["properties"].(map[string]any)
	for name, v := range props {
		p, err := c.inline(v)
		if err != nil {
			return err
		}
		n.props = append(n.props, prop{name, p})
	}
	closed := len(props) > 0
	switch ap := s["additionalProperties"].(type) {
	case bool:
		closed = !ap
	case map[string]any:
		a, err := c.inline(ap)
		if err != nil {
			return err
		}
		n.additional = a
		closed = false
	}
	if flag(s, "x-kubernetes-preserve-unknown-fields") {
		closed = false
	}
	n.open = !closed
	req, _ := s["required"].([]any)
	for _, r := range req {
		if r, ok := r.(string); ok {
			n.required = append(n.required, r)
		}
	}
	all, _ := s["allOf"].([]any)
	for _, part := range all {
		if err := c.mergeAllOf(part, n); err != nil {
			return err
		}
	}
	if items, ok := s["items"]; ok {
		it, err := c.inline(items)
		if err != nil {
			return err
		}
		n.items = it
	}
	if en, ok := s["enum"].([]any); ok {
		n.enum = en
	}
	if p, ok := s["pattern"].(string); ok {
		if _, err := regexp.Compile(p); err != nil {
			c.dropped[p] = true
		} else {
			n.pattern = p
		}
	}
	sort.Slice(n.props, func(i, j int) bool { return n.props[i].name < n.props[j].name })
	return nil
}

// mergeAllOf is SchemaCompiler::MergeAllOf: a part's properties and
// required fields join the node's.
func (c *compiler) mergeAllOf(part any, n *node) error {
	p, err := c.inline(part)
	if err != nil || p == nil {
		return err
	}
	for p.alias != nil {
		p = p.alias
	}
	if n.types == 0 {
		n.types = p.types
	}
	for _, pp := range p.props {
		if n.prop(pp.name) == nil {
			n.props = append(n.props, pp)
		}
	}
	n.required = append(n.required, p.required...)
	if !p.open && len(n.props) == len(p.props) {
		n.open = false
	}
	if n.items == nil {
		n.items = p.items
	}
	if n.additional == nil {
		n.additional = p.additional
	}
	return nil
}

// writer emits one kind's file: the nodes it reaches through $refs are
// written under definitions once each.
type writer struct {
	c    *compiler
	meta *node // ObjectMeta, or nil
	defs map[string]any
	todo []*node
}

func (w *writer) ref(n *node) map[string]any {
	def := w.c.defName(n.name)
	if _, ok := w.defs[def]; !ok {
		w.defs[def] = nil // reserved; written by drain
		w.todo = append(w.todo, n)
	}
	return map[string]any{"$ref": "#/definitions/" + def}
}

func (w *writer) drain() {
	for len(w.todo) > 0 {
		n := w.todo[0]
		w.todo = w.todo[1:]
		w.defs[w.c.defName(n.name)] = w.body(n, false)
	}
}

// schema is how a node is referred to from its parent.
func (w *writer) schema(n *node) map[string]any {
	if n == nil {
		return map[string]any{}
	}
	if n.name != "" {
		return w.ref(n)
	}
	return w.body(n, false)
}

var notNull = map[string]any{"not": map[string]any{"type": "null"}}

func (w *writer) body(n *node, root bool) map[string]any {
	if n.alias != nil {
		if root {
			return w.body(n.alias, true)
		}
		return w.ref(n.alias)
	}
	out := map[string]any{}
	if n.types != 0 {
		var list []any
		for _, tn := range typeNames {
			if n.types&tn.bit != 0 {
				list = append(list, tn.name)
			}
		}
		out["type"] = append(list, "null")
	}
	props := map[string]any{}
	for _, p := range n.props {
		props[p.name] = w.schema(p.n)
	}
	if root || n.embedded {
		for _, k := range []string{"apiVersion", "kind"} {
			if _, ok := props[k]; !ok {
				props[k] = map[string]any{}
			}
		}
		if w.meta != nil {
			props["metadata"] = w.ref(w.meta)
		} else if _, ok := props["metadata"]; !ok {
			props["metadata"] = map[string]any{}
		}
		if root {
			props["sops"] = map[string]any{}
		}
	}
	if len(props) > 0 {
		out["properties"] = props
	}
	if n.additional != nil {
		out["additionalProperties"] = w.schema(n.additional)
	} else if !n.open {
		out["additionalProperties"] = false
	}
	if len(n.required) > 0 {
		req := []any{}
		nonNull := map[string]any{}
		for _, r := range n.required {
			if _, dup := nonNull[r]; !dup {
				req = append(req, r)
				nonNull[r] = notNull
			}
		}
		out["required"] = req
		out["allOf"] = []any{map[string]any{"properties": nonNull}}
	}
	if n.items != nil {
		out["items"] = w.schema(n.items)
	}
	if len(n.enum) > 0 {
		en := append([]any(nil), n.enum...)
		hasNull := false
		for _, v := range en {
			hasNull = hasNull || v == nil
		}
		if !hasNull {
			en = append(en, nil)
		}
		out["enum"] = en
	}
	if n.pattern != "" {
		out["pattern"] = n.pattern
	}
	return out
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// defName is a definitions key that needs no escaping in a JSON pointer
// or a URI fragment.
func (c *compiler) defName(name string) string {
	if d, ok := c.defNames[name]; ok {
		return d
	}
	d := unsafeChars.ReplaceAllString(name, "_")
	for taken := true; taken; {
		taken = false
		for _, other := range c.defNames {
			if other == d {
				taken = true
				d += "_"
				break
			}
		}
	}
	c.defNames[name] = d
	return d
}

// path is where kubeconform's template finds a kind: "apps/v1/Deployment"
// at apps/v1/deployment.json, "v1/ConfigMap" at v1/v1/configmap.json.
func path(key string) (string, error) {
	parts := strings.Split(key, "/")
	switch len(parts) {
	case 2:
		return filepath.Join(parts[0], parts[0], strings.ToLower(parts[1])+".json"), nil
	case 3:
		return filepath.Join(parts[0], parts[1], strings.ToLower(parts[2])+".json"), nil
	}
	return "", fmt.Errorf("kind %q is not group/version/kind or version/kind", key)
}

func run(bundlePath, outDir string) error {
	data, err := os.ReadFile(bundlePath)
	if err != nil {
		return err
	}
	var b bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return fmt.Errorf("%s: %w", bundlePath, err)
	}
	if b.Version != 1 || len(b.Kinds) == 0 || len(b.Schemas) == 0 {
		return fmt.Errorf("%s: not a version 1 schema bundle with kinds and schemas", bundlePath)
	}
	c := &compiler{schemas: map[string]map[string]any{}, byName: map[string]*node{},
		dropped: map[string]bool{}, defNames: map[string]string{}}
	for name, raw := range b.Schemas {
		var s map[string]any
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("schema %q: %w", name, err)
		}
		c.schemas[name] = s
	}
	var meta *node
	if b.ObjectMeta != "" {
		if meta, err = c.named(b.ObjectMeta); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(b.Kinds))
	for k := range b.Kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	written := map[string]string{}
	for _, key := range keys {
		rel, err := path(key)
		if err != nil {
			return err
		}
		if other, ok := written[rel]; ok {
			return fmt.Errorf("kinds %s and %s would share %s", other, key, rel)
		}
		written[rel] = key
		root, err := c.named(b.Kinds[key])
		if err != nil {
			return fmt.Errorf("kind %s: %w", key, err)
		}
		w := &writer{c: c, meta: meta, defs: map[string]any{}}
		doc := w.body(root, true)
		w.drain()
		doc["$schema"] = draft4
		if len(w.defs) > 0 {
			doc["definitions"] = w.defs
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
		file := filepath.Join(outDir, rel)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	for p := range c.dropped {
		fmt.Fprintf(os.Stderr, "kubeconform-schemas: pattern %q left out: Go's regexp refuses it\n", p)
	}
	return nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: kubeconform-schemas <bundle.json> <outdir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "kubeconform-schemas:", err)
		os.Exit(1)
	}
}
