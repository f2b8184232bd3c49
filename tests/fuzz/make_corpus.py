#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, one folder per target under
corpus/: for the cty targets, hand-built msgpack and JSON values shaped like
what OpenTofu sends (first byte selects the type: 0 resource object,
1 dynamic, 2 map of string, 3 an object with numbers and sets); for the tree
targets, keys, globs and manifests documents. scripts/fuzz grows these
folders; re-running this script rewrites only the seeds named here."""
import os, struct

HERE = os.path.dirname(os.path.abspath(__file__))

def s(x):
    b = x.encode()
    if len(b) < 32: return bytes([0xa0 | len(b)]) + b
    if len(b) < 256: return b'\xd9' + bytes([len(b)]) + b
    return b'\xda' + struct.pack('>H', len(b)) + b

def m(d):
    out = bytes([0x80 | len(d)]) if len(d) < 16 else b'\xde' + struct.pack('>H', len(d))
    for k, v in d.items(): out += s(k) + v
    return out

def a(xs): return bytes([0x90 | len(xs)]) + b''.join(xs)

NIL, UNK, T = b'\xc0', b'\xd4\x00\x00', b'\xc3'
attrs = ["cluster", "directory_permission", "exclude", "extra_components", "file_permission", "files", "id",
         "path", "prune", "rendered_manifests", "sensitive_manifests", "tree_sha256"]
def obj(**kw): return m({k: kw.get(k, NIL) for k in sorted(attrs)})

cases = {
  "config_create": b'\x00' + obj(cluster=s("dev"), path=s("./gitops"),
                                 rendered_manifests=m({"platform/traefik/a.yaml": s("a: 1\n\n")})),
  "config_unknown_content": b'\x00' + obj(cluster=s("dev"), path=s("x"),
                                          rendered_manifests=m({"platform/redis/v.yaml": UNK})),
  "config_refined_unknown": b'\x00' + obj(cluster=s("dev"), path=s("x"),
                                          rendered_manifests=b'\xc7\x03\x0c\x81\x01\xc2'),
  "state_full": b'\x00' + obj(cluster=s("dev"), path=s("x"), prune=T, exclude=a([s("clusters/*/flux-system/**")]),
                              file_permission=s("0644"), directory_permission=s("0755"), id=s("dev:x"),
                              files=m({"platform/vault/v.yaml": m({"mode": s("0644"), "sha256": s("0" * 64)})}),
                              tree_sha256=s("f" * 64), rendered_manifests=m({"platform/vault/v.yaml": s("µ\n")})),
  "null": b'\x00' + NIL,
  "dynamic_string": b'\x01' + a([b'\xc4\x08"string"', s("hi")]),
  "dynamic_map": b'\x01' + a([b'\xc4\x12["map","string"]', m({"k": s("v")})]),
  "map_of_string": b'\x02' + m({"a": s("x" * 300), "b": NIL, "c": UNK}),
}
json_cases = {
  "json_state": b'\x00' + b'{"id":"dev:x","path":"x","cluster":"dev","rendered_manifests":{"a":"b"},"prune":true}',
  "json_dynamic": b'\x01' + b'{"value":{"a":["x",null]},"type":["map",["list","string"]]}',
  "json_map": b'\x02' + b'{"platform/redis/a.yaml":"k: v\\n","b":null,"c":"\\u00e9"}',
  "json_numbers": b'\x03' + b'{"n":1.5e3,"l":[1,-2,"3.25"],"s":["a","b"],"b":"true","m":{"k":["v"]}}',
}
tree_cases = {
  "tree_validate_fuzz": {
    "platform_key": b'\x00platform/traefik/helm.yaml',
    "cluster_key": b'\x01clusters/prod-eu-1/apps/kustomization.yaml',
    "modules_tree": b'\x08modules/a.yaml\nplatform/my-app/x.yaml\nclusters/dev/flux-system/gotk.yaml',
    "case_collision": b'\x00platform/Traefik/x.yaml\nplatform/traefik/ok.yaml',
    "file_and_dir": b'\x00modules/x\nmodules/x/y.yaml',
    "dotdot": b'\x00platform/vault/../../etc/passwd',
    "hostile_bytes": b'\x00modules/a\x00b/\xc3\x28/.git/./x',
  },
  "tree_glob_fuzz": {
    "default_exclude": b'clusters/*/flux-system/**\nclusters/dev/flux-system/gotk-sync.yaml',
    "mid_double_star": b'modules/**/*.secret\nmodules/a/b/c.secret',
    "question": b'platform/?ault/*.y?ml\nplatform/vault/x.yaml',
    "literal": b'a/b\na/b',
    "stars_backtrack": b'**/a*b*c/**/x\nq/aXbYc/r/s/x',
  },
  "tree_manifests_fuzz": {
    "bare": b'{"platform/traefik/a.yaml":"a: 1\\n","modules/m.yaml":""}',
    "tofu_output": b'{"sensitive":false,"type":["map","string"],"value":{"clusters/dev/x.yaml":"x"}}',
    "not_strings": b'{"a":1,"b":null,"c":{"d":"e"}}',
    "bad_keys": b'{"":"x","/etc/passwd":"x","platform/redis/\\u0000":"y","Platform/redis/a":"z","platform/redis/a":"w"}',
  },
  # First byte: 0 a file where Flux generates a kustomization, 1 a
  # kustomization file, 2 elsewhere; the rest is the file.
  "tree_checks_fuzz": {
    "object": b'\x00apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    "not_object": b'\x00---\n- a\n---\nreplicas: 1\n...\n',
    "duplicate": b'\x02a: 1\nm: {x: 1, x: 2}\nn:\n  <<: {p: 1}\n  p: 2\na: 3\n',
    "anchors": b'\x02base: &b {a: 1}\nd:\n  <<: [*b]\n  ? [c, d]\n  : 1\n  *b : 2\n',
    "kustomization": b'\x01resources:\n- cm.yaml\n- gone.yaml\n- ../../../out.yaml\n- sub\n'
                     b'- https://example.com/x\npatches:\n- path: /etc/p\n'
                     b'configMapGenerator:\n- name: g\n  files: [k=cm.yaml, v.conf]\n  envs: [e]\n'
                     b'  env: f\nopenapi:\n  path: o.json\ncomponents: [..]\n',
    "flux_path": b'\x00apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n'
                 b'spec:\n  path: ./platform/gone\n',
    "syntax": b'\x00a:\n\tb: "open\n--\n',
    "block_scalars": b'\x02a: |\n  x: 1\n  x: 1\nb: >-\n  y\nc: |+\n  z\n\n',
  },
  # A rendered file to encrypt with SOPS.
  "tree_sops_fuzz": {
    "secret": b'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\nstringData:\n  token: abcdefgh12345\n'
              b'data:\n  k: dg==\n',
    "typed": b'kind: Config\nreplicas: 3\nwhen: 2001-12-14\ndata:\n  n: 0755\n  f: 1e3\n  b: true\n'
             b'  l: [a, 1, {x: y}]\n  lit: |\n    two\n    lines\n  t: 2001-12-14t21:59:43.10-05:00\n',
    "multidoc": b'a: 1\n---\n---\nkind: Secret\napiVersion: v1\nstringData: {"k": v, \'q\': "\\u00e9"}\n',
    "sops": b'data:\n  sops:\n    k: v\nsops:\n  mac: x\n',
    "anchor": b'a: &x 1\nb: *x\n',
  },
}
for target, entries in [("cty_msgpack_fuzz", cases), ("cty_json_fuzz", json_cases)] + list(tree_cases.items()):
  os.makedirs(os.path.join(HERE, "corpus", target), exist_ok=True)
  for name, data in entries.items():
    with open(os.path.join(HERE, "corpus", target, name), "wb") as f: f.write(data)
