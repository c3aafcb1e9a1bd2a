// Command pulumi-gen-sdk generates a language SDK from a Pulumi package schema with the code generators
// of github.com/pulumi/pulumi/pkg/v3, making the calls the language hosts make for `pulumi package
// gen-sdk`: bind the schema (dangling references allowed), then the language's GeneratePackage, under
// the host's tool name ("pulumi-language-python", "pulumi-language-go", which the file headers show).
// The CLI built here cannot do it itself: it hands SDK generation to pulumi-language-<lang>, and the Go
// module proxy does not serve those hosts (docs/sdks.md).
//
// For Go it also writes the go.mod that codegen writes for "supportPack" packages (module: the import
// base path's parent; go 1.25), requiring github.com/pulumi/pulumi/sdk/v3 at the version this tool is
// built with instead of codegen's floor (v3.30.0); scripts/gen-sdk.sh then runs `go mod tidy` for go.sum.
//
// Usage: pulumi-gen-sdk <schema.json> <python|go> <out-dir>   (out-dir is emptied first)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"golang.org/x/mod/modfile"
)

const pulumiGoSDK = "github.com/pulumi/pulumi/sdk/v3"

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-gen-sdk <schema.json> <python|go> <out-dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, language, out string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noDependencies{}, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s does not bind: %w", schemaPath, diags)
	}

	var files map[string][]byte
	switch language {
	case "python":
		files, err = pygen.GeneratePackage("pulumi-language-python", pkg, map[string][]byte{}, noDependencies{})
	case "go":
		files, err = gogen.GeneratePackage("pulumi-language-go", pkg, map[string]string{})
		if err == nil {
			files["go.mod"], err = goMod(pkg)
		}
	default:
		return fmt.Errorf("unsupported language %q: use python or go", language)
	}
	if err != nil {
		return fmt.Errorf("generating the %s SDK: %w", language, err)
	}
	return writeFiles(out, files)
}

// goMod is the go.mod of the Go SDK: its module holds the package at the import base path.
func goMod(pkg *schema.Package) ([]byte, error) {
	info, _ := pkg.Language["go"].(gogen.GoPackageInfo)
	importBase := info.ImportBasePath
	if importBase == "" {
		importBase = gogen.ExtractImportBasePath(pkg.Reference())
	}
	modulePath := info.ModulePath
	if modulePath == "" {
		modulePath = path.Dir(importBase)
	}
	version, err := builtWith(pulumiGoSDK)
	if err != nil {
		return nil, err
	}
	var gomod modfile.File
	if err := gomod.AddModuleStmt(modulePath); err != nil {
		return nil, err
	}
	if err := gomod.AddGoStmt("1.25"); err != nil {
		return nil, err
	}
	if err := gomod.AddRequire(pulumiGoSDK, version); err != nil {
		return nil, err
	}
	return gomod.Format()
}

// builtWith is the version of a module this binary links, from its build information.
func builtWith(module string) (string, error) {
	build, ok := debug.ReadBuildInfo()
	if ok {
		for _, dep := range build.Deps {
			if dep.Path == module {
				return dep.Version, nil
			}
		}
	}
	return "", fmt.Errorf("no version of %s in the build information", module)
}

// writeFiles empties dir and writes files into it, in sorted order, with fixed modes (0644/0755) so the
// result does not depend on the umask.
func writeFiles(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noDependencies is the schema loader: the pgcluster schema references no other package, so any
// attempt to load one is an error that names it.
type noDependencies struct{}

func (noDependencies) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("schema references package %q; only self-contained schemas are supported", name)
}

func (l noDependencies) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (l noDependencies) LoadPackageReference(name string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(name, v)
	return nil, err
}

func (l noDependencies) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}
