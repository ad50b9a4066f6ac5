#!/usr/bin/env python3
"""Build the known-programs reference (data/known/reference.jsonl).

Owns: fetching public packages (Debian's archive, the npm registry),
checking each download against the digest its index publishes, finding the
Go executables inside, and writing one JSON Lines record per executable
with the digests `malgopher info --json` computes for it.  Only digests and
metadata leave this script; the downloads stay in the work directory.

The file format is documented in docs/known-reference.md.  Python standard
library only.  Run it through tools/known/build_reference.sh.
"""

import argparse
import concurrent.futures
import datetime
import hashlib
import base64
import io
import json
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request

DEBIAN = "http://deb.debian.org/debian"
NPM = "https://registry.npmjs.org"

# The programs issue 24 asks for, then more Go tools analysts meet abused
# (tunnels, proxies, transfer and sync tools, scanners, container tools).
# A package missing from a suite is skipped there (e.g. kubectl is its own
# package from trixie on; docker-cli likewise).
DEFAULT_PACKAGES = (
    "rclone restic syncthing age gh hugo caddy docker.io docker-cli containerd "
    "runc kubernetes-client kubectl etcd-server etcd-client prometheus gobuster "
    "ffuf bettercap mkcert git-lfs micro fzf wireguard-go "
    "obfs4proxy snowflake-client v2ray shadowsocks-v2ray-plugin dnscrypt-proxy "
    "nebula yggdrasil gocryptfs websocketd hey lego nats-server "
    "prometheus-node-exporter gitleaks lazygit docker-compose skopeo "
    "rootlesskit gdu direnv hub"
)
DEFAULT_SUITES = "bookworm trixie forky"
DEFAULT_ARCHES = "amd64"
# npm: package -> versions.  @expo/ngrok-bin-linux-x64 holds the ngrok v2
# agent; the CLI's file name is ngrok.
DEFAULT_NPM = {
    "@expo/ngrok-bin-linux-x64": ["2.2.8", "2.3.40", "2.3.41", "2.3.42"],
}
GOARCH = {"amd64": "amd64", "arm64": "arm64", "armhf": "arm", "armel": "arm",
          "i386": "386", "ppc64el": "ppc64le", "s390x": "s390x",
          "mips64el": "mips64le", "riscv64": "riscv64"}


def log(msg):
    print("build_reference: " + msg, file=sys.stderr, flush=True)


def fetch(url, dest=None, tries=3):
    last = None
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=120) as r:
                if dest is None:
                    return r.read()
                with open(dest + ".part", "wb") as f:
                    shutil.copyfileobj(r, f, 1 << 20)
                os.replace(dest + ".part", dest)
                return dest
        except OSError as e:
            last = e
            time.sleep(1 + attempt)
    raise RuntimeError("%s: download failed: %s" % (url, last))


def parse_packages(text, wanted):
    """Map package name -> its stanza fields, for the wanted packages."""
    out = {}
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.split("\n"):
            if line and not line[0].isspace() and ":" in line:
                k, v = line.split(":", 1)
                fields[k] = v.strip()
        name = fields.get("Package")
        if name in wanted and all(k in fields for k in ("Version", "Filename", "SHA256", "Size")):
            out[name] = fields
    return out


def debian_jobs(suites, arches, packages, work):
    jobs = []
    wanted = set(packages)
    for suite in suites:
        for arch in arches:
            url = "%s/dists/%s/main/binary-%s/Packages.xz" % (DEBIAN, suite, arch)
            text = lzma.decompress(fetch(url)).decode("utf-8", "replace")
            found = parse_packages(text, wanted)
            for p in packages:
                if p not in found:
                    log("%s/%s: no package %s" % (suite, arch, p))
                    continue
                f = found[p]
                if f.get("Architecture") not in (arch, None):
                    continue  # an arch:all package is no executable
                jobs.append({"kind": "deb", "package": p, "version": f["Version"],
                             "source": "debian:" + suite, "arch": arch,
                             "url": DEBIAN + "/" + f["Filename"], "sha256": f["SHA256"],
                             "size": int(f["Size"])})
    # The same .deb can be in two suites (e.g. caddy): fetch it once, say both.
    return jobs


def npm_jobs(npm):
    jobs = []
    for pkg, versions in npm.items():
        meta = json.loads(fetch("%s/%s" % (NPM, pkg.replace("/", "%2f"))))
        for v in versions:
            info = meta.get("versions", {}).get(v)
            if not info:
                log("npm %s: no version %s" % (pkg, v))
                continue
            dist = info["dist"]
            jobs.append({"kind": "npm", "package": pkg, "version": v, "source": "npm",
                         "arch": "amd64", "url": dist["tarball"],
                         "integrity": dist.get("integrity"), "shasum": dist.get("shasum")})
    return jobs


def verify(job, path):
    data_hash = {}
    for alg in ("sha256", "sha512", "sha1"):
        data_hash[alg] = hashlib.new(alg)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            for h in data_hash.values():
                h.update(chunk)
    if job["kind"] == "deb":
        if data_hash["sha256"].hexdigest() != job["sha256"]:
            raise RuntimeError("%s: SHA256 differs from the Packages index" % job["url"])
        return
    ok = False
    integ = job.get("integrity") or ""
    if integ.startswith("sha512-"):
        want = base64.b64decode(integ[7:])
        if data_hash["sha512"].digest() != want:
            raise RuntimeError("%s: sha512 differs from dist.integrity" % job["url"])
        ok = True
    if job.get("shasum"):
        if data_hash["sha1"].hexdigest() != job["shasum"]:
            raise RuntimeError("%s: sha1 differs from dist.shasum" % job["url"])
        ok = True
    if not ok:
        raise RuntimeError("%s: the registry gives no digest to check" % job["url"])


def extract(job, archive, dest):
    os.makedirs(dest)
    if job["kind"] == "deb":
        subprocess.run(["dpkg-deb", "-x", archive, dest], check=True)
        return
    with tarfile.open(archive, "r:gz") as t:
        for m in t.getmembers():
            if not m.isfile() or m.name.startswith("/") or ".." in m.name.split("/"):
                continue
            out = os.path.join(dest, m.name)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with t.extractfile(m) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.chmod(out, 0o755 if m.mode & 0o111 else 0o644)


def candidates(root):
    """Regular files that are ELF, PE or Mach-O executables or libraries."""
    out = []
    for d, _, files in os.walk(root):
        for n in files:
            p = os.path.join(d, n)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            try:
                with open(p, "rb") as f:
                    magic = f.read(4)
            except OSError:
                continue
            if magic == b"\x7fELF" or magic[:2] == b"MZ" or magic in (
                    b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
                out.append(p)
    return sorted(out)


def records_for(job, root, malgopher):
    files = candidates(root)
    if not files:
        return []
    r = subprocess.run([malgopher, "info", "--json", "-q", "--files-from", "-"],
                       input="\n".join(files) + "\n", capture_output=True, text=True)
    for line in r.stderr.splitlines():
        log("%s %s: malgopher: %s" % (job["package"], job["version"], line))
    recs = []
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if not d.get("is_go"):
            continue
        rel = os.path.relpath(d["file"], root)
        if job["kind"] == "npm" and rel.startswith("package/"):
            rel = rel[len("package/"):]
        name = os.path.basename(rel)
        mm = d.get("main_module")
        recs.append({
            "name": name, "package": job["package"], "version": job["version"],
            "source": job["source"], "os": d.get("os"),
            "arch": d.get("arch") or GOARCH.get(job["arch"], job["arch"]),
            "path": rel, "sha256": d.get("sha256"), "size": d.get("size"),
            "go_version": d.get("go_version"),
            "main_module": mm.get("path") if isinstance(mm, dict) and mm.get("path") else None,
            # the build info's main package path and malgopher's identity
            # (module path, else the program's own package prefix): a
            # different program on the same libraries has another identity
            "main_path": d.get("path") or None, "identity": d.get("identity") or None,
            "gimphash": d.get("gimphash"), "gimpfuzzy": d.get("gimpfuzzy"),
            "gimpset": d.get("gimpset"),
            # how much each digest stands on: a program of few names of its
            # own scores high by chance (docs/known-reference.md)
            "functions": d.get("functions"), "names": d.get("gimphash_names"),
            "gimpset_names": d.get("gimpset_names"),
        })
    return recs


def run_job(job, work, malgopher, keep):
    tag = "%s_%s_%s" % (job["package"].replace("/", "_").replace("@", ""),
                        job["version"].replace(":", "_"), job["arch"])
    archive = os.path.join(work, "dl", tag + (".deb" if job["kind"] == "deb" else ".tgz"))
    if not os.path.exists(archive):
        fetch(job["url"], archive)
    verify(job, archive)
    root = os.path.join(work, "x", tag)
    shutil.rmtree(root, ignore_errors=True)
    extract(job, archive, root)
    try:
        recs = records_for(job, root, malgopher)
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return job, recs, os.path.getsize(archive)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--malgopher", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--packages", default=DEFAULT_PACKAGES)
    ap.add_argument("--suites", default=DEFAULT_SUITES)
    ap.add_argument("--arches", default=DEFAULT_ARCHES)
    ap.add_argument("--npm", default=None,
                    help="PKG@V1+V2,... (default: the ngrok v2 agent); 'none' for no npm")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the extracted trees in WORK/x")
    a = ap.parse_args()
    t0 = time.time()
    split = lambda s: [x for x in s.replace(",", " ").split() if x]
    suites, arches, packages = split(a.suites), split(a.arches), split(a.packages)
    if a.npm is None:
        npm = DEFAULT_NPM if "amd64" in arches else {}
    elif a.npm == "none":
        npm = {}
    else:
        npm = {}
        for item in split(a.npm):
            pkg, _, vs = item.rpartition("@")
            npm[pkg] = vs.split("+")
    os.makedirs(os.path.join(a.work, "dl"), exist_ok=True)
    jobs = debian_jobs(suites, arches, packages, a.work) + npm_jobs(npm)
    # one download per distinct file; a .deb shared by two suites is named once per suite
    by_url = {}
    for j in jobs:
        by_url.setdefault(j["url"], []).append(j)
    recs, downloaded, failed = [], 0, 0
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as ex:
        futs = [ex.submit(run_job, js[0], a.work, a.malgopher, a.keep) for js in by_url.values()]
        for fut, js in zip(futs, by_url.values()):
            try:
                job, rs, size = fut.result()
            except Exception as e:  # one bad package must not lose the others
                log("%s %s (%s): %s" % (js[0]["package"], js[0]["version"], js[0]["arch"], e))
                failed += 1
                continue
            downloaded += size
            if not rs:
                log("%s %s (%s): no Go executable" % (job["package"], job["version"], job["arch"]))
            for j in js:
                for r in rs:
                    recs.append(dict(r, source=j["source"]))
    recs.sort(key=lambda r: (r["name"], r["version"], r["arch"], r["source"], r["path"]))
    header = {"malgopher_known": 1,
              "built": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
              "script": "tools/known/build_reference.sh",
              "suites": suites, "arches": arches,
              "npm": sorted("%s@%s" % (p, v) for p, vs in npm.items() for v in vs),
              "records": len(recs)}
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(json.dumps(header, separators=(",", ":")) + "\n")
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")
    names = sorted({r["name"] for r in recs})
    log("%d programs, %d records, %d packages (%d failed), %.1f MB downloaded, %d bytes written, %.0f s"
        % (len(names), len(recs), len(by_url) - failed, failed, downloaded / 1e6,
           os.path.getsize(a.out), time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
