# `tofu test` for the example (OpenTofu 1.12.6 runs it in scripts/test):
# checks the rendered manifests, applies the example into a checkout of
# its own, asserts on what the provider reports, and applies again to see
# nothing change. `tofu test` destroys the tree at the end. Copy it next
# to your own configuration and adapt the figures.
#
#   tofu init && tofu test

variables {
  checkout = "./.tofu-test/gitops"
}

run "manifests_pass_the_checks" {
  command = plan

  assert {
    condition     = length(output.findings) == 0
    error_message = join("\n", [for f in output.findings : "${f.key}:${f.line}:${f.column}: ${f.message}"])
  }
}

run "writes_the_tree" {
  assert {
    condition     = length(output.files) == length(local.rendered_manifests)
    error_message = "files lists ${length(output.files)} files for ${length(local.rendered_manifests)} manifests"
  }

  assert {
    condition     = alltrue([for key, f in output.files : f.mode == "0644" && length(f.sha256) == 64])
    error_message = "every file is written 0644, with its SHA-256"
  }

  assert {
    condition     = output.files["clusters/dev/kustomization.yaml"].sha256 == sha256(local.rendered_manifests["clusters/dev/kustomization.yaml"])
    error_message = "the cluster's kustomization holds what was rendered"
  }

  assert {
    condition     = fileexists("${var.checkout}/platform/databases/kustomization.yaml")
    error_message = "the tree is on disk"
  }

  assert {
    condition     = can(regex("^[0-9a-f]{64}$", output.tree_sha256))
    error_message = "tree_sha256 is a SHA-256"
  }
}

run "applies_again_without_change" {
  # The first run's output, as a variable of this one.
  variables {
    expected_tree_sha256 = run.writes_the_tree.tree_sha256
  }

  assert {
    condition     = output.tree_sha256 == var.expected_tree_sha256
    error_message = "a second apply changed the tree"
  }
}
