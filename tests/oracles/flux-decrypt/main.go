// Command wildside-decrypt runs kustomize-controller's own SOPS decryption
// (its internal/decryptor package, the code Flux runs in the cluster) on
// built YAML, for the tests of the provider's SOPS encryption (issue 22).
//
// Usage: wildside-decrypt AGE_IDENTITY_FILE < built.yaml > decrypted.yaml
//
// The identity is handed to the decryptor the way a cluster does it: as the
// `identity.agekey` entry of a Secret named in the Flux Kustomization's
// spec.decryption (provider: sops), read through a Kubernetes client (here
// controller-runtime's fake one). Every resource of the input goes through
// DecryptResource, which decrypts encrypted Secrets and leaves the rest;
// the output is the resources as YAML documents. Exit 1 on any error.
//
// Go lets only code inside the kustomize-controller module import its
// internal packages, so scripts/install-flux-decrypt builds this file as
// cmd/wildside-decrypt inside the module's source (v1.9.4 from the Go
// module proxy), with this directory's go.mod and go.sum.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/kustomize-controller/internal/decryptor"
	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/kustomize/api/provider"
)

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: wildside-decrypt AGE_IDENTITY_FILE < built.yaml")
	}
	identity, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return err
	}
	keys := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "sops-age", Namespace: "flux-system"},
		Data:       map[string][]byte{"identity.agekey": identity},
	}
	client := fake.NewClientBuilder().WithScheme(scheme).WithObjects(keys).Build()
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "tree", Namespace: "flux-system"},
		Spec: kustomizev1.KustomizationSpec{
			Decryption: &kustomizev1.Decryption{
				Provider:  decryptor.DecryptionProviderSOPS,
				SecretRef: &meta.LocalObjectReference{Name: "sops-age"},
			},
		},
	}
	root, err := os.MkdirTemp("", "wildside-decrypt-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	dec, cleanup, err := decryptor.New(client, ks, decryptor.WithRoot(root))
	if err != nil {
		return err
	}
	defer cleanup()
	if err := dec.ImportKeys(context.Background()); err != nil {
		return fmt.Errorf("importing the key: %w", err)
	}
	resources, err := provider.NewDefaultDepProvider().GetResourceFactory().SliceFromBytes(input)
	if err != nil {
		return fmt.Errorf("reading the resources: %w", err)
	}
	for i, res := range resources {
		out, err := dec.DecryptResource(res)
		if err != nil {
			return fmt.Errorf("resource %d: %w", i, err)
		}
		if out == nil {
			out = res
		}
		y, err := out.AsYAML()
		if err != nil {
			return err
		}
		fmt.Printf("---\n%s", y)
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "wildside-decrypt:", err)
		os.Exit(1)
	}
}
