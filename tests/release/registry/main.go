// A provider registry for tests: serves the release assets of one version
// over HTTPS on 127.0.0.1, speaking the provider registry protocol that
// `tofu init` uses (service discovery, versions, download), so the real
// tofu installs the provider exactly as users will: SHA256SUMS signature
// checked against the served key, zip hash checked, zh:/h1: recorded.
//
// It makes its own throwaway CA and a certificate for "localhost" and
// 127.0.0.1 at start, writes the CA (PEM) to -ca-out for SSL_CERT_FILE and
// the address it listens on to -addr-out, then serves until killed or
// until -max-seconds pass (a bound so a lost test never leaves it behind).
//
// With -tls-out DIR it only writes such a CA and certificate (ca.pem,
// cert.pem, key.pem) for another server under test, and exits.
// Standard library only.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	dist := flag.String("dist", "", "directory holding the release assets")
	version := flag.String("version", "", "the release version served")
	keyID := flag.String("key-id", "", "GPG key ID of the signing key (hex)")
	caOut := flag.String("ca-out", "", "file to write the CA certificate to (PEM)")
	addrOut := flag.String("addr-out", "", "file to write host:port to, once listening")
	maxSeconds := flag.Int("max-seconds", 900, "exit after this many seconds")
	tlsOut := flag.String("tls-out", "", "only write ca.pem, cert.pem and key.pem to this directory, then exit")
	flag.Parse()
	if *tlsOut != "" {
		writeTLS(*tlsOut)
		return
	}
	if *dist == "" || *version == "" || *caOut == "" || *addrOut == "" {
		log.Fatal("usage: registry -dist DIR -version V -key-id ID -ca-out FILE -addr-out FILE")
	}
	prefix := "terraform-provider-wildside_" + *version
	armor, err := os.ReadFile(filepath.Join(*dist, prefix+"_signing-key.asc"))
	if err != nil {
		log.Fatal(err)
	}
	sums, err := readSums(filepath.Join(*dist, prefix+"_SHA256SUMS"))
	if err != nil {
		log.Fatal(err)
	}

	cert, caPEM := makeCertificates()
	if err := os.WriteFile(*caOut, caPEM, 0o644); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	base := fmt.Sprintf("https://localhost:%d", port)

	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/.well-known/terraform.json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{"providers.v1": "/v1/providers/"})
	})
	var platforms []map[string]string
	for name := range sums {
		if os, arch, ok := platformOf(name, prefix); ok {
			platforms = append(platforms, map[string]string{"os": os, "arch": arch})
		}
	}
	mux.HandleFunc("/v1/providers/wildside/wildside/versions", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"versions": []any{map[string]any{
			"version": *version, "protocols": []string{"6.0"}, "platforms": platforms,
		}}})
	})
	mux.HandleFunc("/v1/providers/wildside/wildside/"+*version+"/download/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/providers/wildside/wildside/"+*version+"/download/"), "/")
		if len(parts) != 2 {
			http.NotFound(w, r)
			return
		}
		zip := fmt.Sprintf("%s_%s_%s.zip", prefix, parts[0], parts[1])
		sum, ok := sums[zip]
		if !ok {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, map[string]any{
			"protocols":             []string{"6.0"},
			"os":                    parts[0],
			"arch":                  parts[1],
			"filename":              zip,
			"download_url":          base + "/files/" + zip,
			"shasums_url":           base + "/files/" + prefix + "_SHA256SUMS",
			"shasums_signature_url": base + "/files/" + prefix + "_SHA256SUMS.sig",
			"shasum":                sum,
			"signing_keys": map[string]any{"gpg_public_keys": []any{map[string]string{
				"key_id": strings.ToUpper(*keyID), "ascii_armor": string(armor),
			}}},
		})
	})
	mux.Handle("/files/", http.StripPrefix("/files/", http.FileServer(http.Dir(*dist))))

	server := &http.Server{
		Handler:   logRequests(mux),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	go func() {
		time.Sleep(time.Duration(*maxSeconds) * time.Second)
		log.Printf("registry: %d s passed, exiting", *maxSeconds)
		os.Exit(0)
	}()
	tmp := *addrOut + ".tmp"
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("localhost:%d\n", port)), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(tmp, *addrOut); err != nil {
		log.Fatal(err)
	}
	log.Fatal(server.ServeTLS(ln, "", ""))
}

func logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("registry: %s %s", r.Method, r.URL.Path)
		h.ServeHTTP(w, r)
	})
}

// "sha256  name" lines, as sha256sum writes them.
func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 {
			out[fields[1]] = fields[0]
		}
	}
	return out, sc.Err()
}

func platformOf(name, prefix string) (string, string, bool) {
	if !strings.HasPrefix(name, prefix+"_") || !strings.HasSuffix(name, ".zip") {
		return "", "", false
	}
	p := strings.Split(strings.TrimSuffix(strings.TrimPrefix(name, prefix+"_"), ".zip"), "_")
	if len(p) != 2 {
		return "", "", false
	}
	return p[0], p[1], true
}

// For another server under test (the OCI registry of tests/release): the
// same throwaway CA and localhost certificate, as PEM files.
func writeTLS(dir string) {
	cert, caPEM := makeCertificates()
	keyDER := must(x509.MarshalPKCS8PrivateKey(cert.PrivateKey))
	files := map[string][]byte{
		"ca.pem":   caPEM,
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			log.Fatal(err)
		}
	}
}

func makeCertificates() (tls.Certificate, []byte) {
	caKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "wildside test registry CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER := must(x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey))
	ca := must(x509.ParseCertificate(caDER))
	key := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der := must(x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey))
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
