module wildside.test/registry

go 1.21
