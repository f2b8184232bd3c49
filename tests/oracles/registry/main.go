// The test registry of the OCI artifact (tests/release): the CNCF
// Distribution registry, started as its own cmd/registry starts it
// (`registry serve CONFIG`), built with only what the tests use: the
// filesystem storage driver and htpasswd (Basic) authentication. Leaving
// out the cloud storage drivers (S3, Azure, GCS) and the pull-through proxy
// of cmd/registry keeps their SDKs out of the build, which a new machine
// would otherwise download and compile for a registry on localhost.
//
// `registry htpasswd USER PASSWORD` prints one line of an htpasswd file
// (bcrypt, as the registry's htpasswd authentication reads it).
package main

import (
	"fmt"
	"os"

	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "htpasswd" {
		hash, err := bcrypt.GenerateFromPassword([]byte(os.Args[3]), bcrypt.DefaultCost)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s:%s\n", os.Args[2], hash)
		return
	}
	// As cmd/registry: the commands report their own errors and exit.
	_ = registry.RootCmd.Execute()
}
