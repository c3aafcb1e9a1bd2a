# Sourced by build.sh. Writes the wrapper Go module that requires the Pulumi CLI and the Node.js
# language host at one version. Their own go.mod files carry `replace` lines (local paths for the
# monorepo, forks of a few dependencies), which make `go install pkg@version` refuse; a wrapper
# module can build them, and it re-applies their non-local replacements so the binaries link the
# same dependencies as Pulumi's release builds.

CLI_MODULE=github.com/pulumi/pulumi/pkg/v3
NODEJS_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
# Set by write_wrapper_module: the language host's package, or empty when it could not be fetched.
LANGUAGE_HOST_MODULE=""

# The checksum database has no entry for some pkg/v3 releases (lookups answer 404), so the Pulumi
# modules are verified against go.sum only; every other dependency still goes through sum.golang.org.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi"
export GOFLAGS="${GOFLAGS:-} -mod=mod"

# Adds the module's non-local `replace` directives to the wrapper's go.mod.
copy_replacements() { # <module@version>
  local gomod
  gomod="$("$GO" mod download -json "$1" | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (m.Error) { console.error(m.Error); process.exit(1); }
    process.stdout.write(m.GoMod)')" || return 1
  "$GO" mod edit -json "$gomod" | node -e '
    const mod = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of mod.Replace ?? []) {
      if (!r.New.Version) continue; // a directory inside the monorepo
      const old = r.Old.Version ? `${r.Old.Path}@${r.Old.Version}` : r.Old.Path;
      console.log(`-replace=${old}=${r.New.Path}@${r.New.Version}`);
    }' | while read -r flag; do "$GO" mod edit "$flag"; done
}

write_wrapper_module() { # <dir> <version>
  local dir="$1" version="v$2" err
  mkdir -p "$dir"
  rm -f "$dir/go.mod" "$dir/go.sum"
  (
    cd "$dir"
    printf 'module pgcluster.local/pulumi-engine\n\ngo 1.25\n' >go.mod
    copy_replacements "$CLI_MODULE@$version"
    "$GO" get "$CLI_MODULE/cmd/pulumi@$version"
  )
  if err="$(cd "$dir" && copy_replacements "$NODEJS_MODULE@$version" 2>&1 && "$GO" get "$NODEJS_MODULE@$version" 2>&1)"; then
    LANGUAGE_HOST_MODULE="$NODEJS_MODULE"
  else
    echo "pulumi engine $2: the Node.js language host ($NODEJS_MODULE@$version) could not be fetched; not built:" >&2
    echo "$err" | sed 's/^/    /' >&2
  fi
}
