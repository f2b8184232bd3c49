#!/usr/bin/env python3
"""Writes the seed corpus for cty_fuzz: hand-built msgpack values shaped like
what OpenTofu sends (first byte selects the type: 0 resource object,
1 dynamic, 2 map of string)."""
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
  "json_state": b'\x00' + b'{"id":"dev:x","path":"x","cluster":"dev","rendered_manifests":{"a":"b"},"prune":true}',
}
os.makedirs(os.path.join(HERE, "corpus"), exist_ok=True)
for name, data in cases.items():
    with open(os.path.join(HERE, "corpus", name), "wb") as f: f.write(data)
