// Command flux-build builds one directory of a source the way Flux's
// kustomize-controller does, and prints the result: the tests' oracle for
// the plan-time checks (tests/checks/flux_oracle_test.cc).
//
// Usage: flux-build <source-root> <path-inside-root> [targetNamespace]
//
// Exit 0 with the built YAML on stdout, or exit 1 with the error on stderr
// (exit 2 for a usage error).
//
// What it reproduces, in the controller's order (kustomize-controller
// internal/controller, reconcile, generate and build):
//   - the path is joined to the root with `..` held at the root, and must
//     exist ("kustomization path not found");
//   - fluxcd/pkg/kustomize's Generator rewrites the directory's
//     kustomization file, or generates one from every .yaml/.yml below it
//     when it has none, layering the Flux Kustomization's spec onto it
//     (here only targetNamespace, when given);
//   - SecureBuild runs kustomize with builtin plugins only and no load
//     restrictions, on a filesystem fenced at the source root;
//   - every built object needs apiVersion, kind and name.
//
// What it leaves out: what source-controller drops before the controller
// sees the source (.sourceignore and its defaults), SOPS decryption and
// post-build substitution. Remote bases are refused (the controller allows
// them unless --no-remote-bases): the oracle must not reach the network.
//
// The generator writes into the directory it builds, so the source is
// copied first, as the controller works on an extracted copy of the
// artifact: the caller's tree is never changed.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fluxcd/pkg/kustomize"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func main() {
	args := os.Args[1:]
	if len(args) < 2 || len(args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: flux-build <source-root> <path-inside-root> [targetNamespace]")
		os.Exit(2)
	}
	targetNamespace := ""
	if len(args) == 3 {
		targetNamespace = args[2]
	}
	out, err := build(args[0], args[1], targetNamespace)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flux-build:", err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintln(os.Stderr, "flux-build: writing the result:", err)
		os.Exit(1)
	}
}

func build(sourceRoot, path, targetNamespace string) ([]byte, error) {
	work, err := os.MkdirTemp("", "flux-build-")
	if err != nil {
		return nil, fmt.Errorf("tmp dir error: %w", err)
	}
	defer os.RemoveAll(work)
	// The secure filesystem compares real paths: resolve the temp dir's
	// own symlinks first, as the controller's MkdirTempAbs does.
	if work, err = filepath.EvalSymlinks(work); err != nil {
		return nil, fmt.Errorf("tmp dir error: %w", err)
	}
	// Symlinks are copied as links; the secure filesystem then refuses
	// any that lead out of the copy.
	if err := os.CopyFS(work, os.DirFS(sourceRoot)); err != nil {
		return nil, fmt.Errorf("copying the source %q: %w", sourceRoot, err)
	}

	// Rooting the path at "/" first clamps `..` at the source root, the
	// lexical part of what securejoin.SecureJoin does for the controller.
	dirPath := filepath.Join(work, filepath.Join(string(filepath.Separator), path))
	if _, err := os.Stat(dirPath); err != nil {
		return nil, fmt.Errorf("kustomization path not found: %w", err)
	}

	spec := map[string]any{"path": path, "prune": true}
	if targetNamespace != "" {
		spec["targetNamespace"] = targetNamespace
	}
	obj := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": "flux-build", "namespace": "flux-system"},
		"spec":       spec,
	}}
	if _, err := kustomize.NewGenerator(work, obj).WriteFile(dirPath); err != nil {
		return nil, err
	}

	m, err := kustomize.SecureBuild(work, dirPath, false)
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	for _, res := range m.Resources() {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return nil, fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
		}
	}
	out, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	return out, nil
}
