"""Run every held-out program plainly and under `asyncdoctor run`, score the findings.
usage: python harness.py PYTHON [prog ...]   (results in out/<tag>/)"""
import json, os, re, subprocess, sys, glob

HERE = os.path.dirname(os.path.abspath(__file__))
py = sys.argv[1]
tag = subprocess.run([py, "-c", "import sys;print('%d.%d'%sys.version_info[:2])"], capture_output=True, text=True).stdout.strip()
progs = sys.argv[2:] or sorted(p for p in glob.glob(os.path.join(HERE, "*.py")) if re.match(r"[bnuprcs]\d\d_", os.path.basename(p)))
import tempfile
outdir = os.path.join(tempfile.gettempdir(), "asyncdoctor-runtime-holdout", tag); os.makedirs(outdir, exist_ok=True)
EXP = re.compile(r"#\s*EXPECT:\s*([\w-]+)")

def expectations(prog):
    files = [prog]
    src = open(prog).read()
    for m in re.finditer(r"^\s*(?:from|import)\s+(helper_\w+)", src, re.M):
        files.append(os.path.join(HERE, m.group(1) + ".py"))
    exp = []
    for f in files:
        for i, line in enumerate(open(f), 1):
            m = EXP.search(line)
            if m: exp.append((m.group(1), os.path.realpath(f), i))
    return exp

def norm(s):
    s = re.sub(r"0x[0-9a-f]+", "0xADDR", s)
    s = re.sub(r"\d+\.\d+", "N.N", s)
    return s

def strip_summary(err):
    lines = err.splitlines(keepends=True)
    for i, l in enumerate(lines):
        if re.match(r"asyncdoctor: \d+ runtime finding", l):
            return "".join(lines[:i]), "".join(lines[i:])
    return err, ""

rows = []
for prog in progs:
    prog = os.path.realpath(prog); name = os.path.basename(prog)
    plain = subprocess.run([py, prog], cwd=HERE, capture_output=True, text=True, timeout=120)
    rep = os.path.join(outdir, name[:-3] + ".json")
    if os.path.exists(rep): os.remove(rep)
    doc = subprocess.run([py, "-m", "asyncdoctor", "run", "--report", rep, prog], cwd=HERE, capture_output=True, text=True, timeout=120)
    d_err, summary = strip_summary(doc.stderr)
    open(os.path.join(outdir, name[:-3] + ".txt"), "w").write(
        f"== plain rc={plain.returncode}\n--stdout\n{plain.stdout}--stderr\n{plain.stderr}"
        f"== doctor rc={doc.returncode}\n--stdout\n{doc.stdout}--stderr\n{doc.stderr}")
    diffs = []
    if plain.stdout != doc.stdout: diffs.append("stdout")
    if plain.returncode != doc.returncode: diffs.append(f"rc {plain.returncode}->{doc.returncode}")
    if norm(plain.stderr) != norm(d_err): diffs.append("stderr")
    if "doctor failed" in doc.stderr: diffs.append("DOCTOR FAILED")
    try:
        findings = json.load(open(rep))["findings"]
    except Exception as e:
        findings = []; diffs.append(f"no report: {e}")
    exp = expectations(prog)
    left = list(findings); res = []
    for kind, path, line in exp:
        hit = next((f for f in left if f["kind"] == kind and os.path.realpath(f["location"]["path"] or "") == path and f["location"]["line"] == line), None)
        if hit: left.remove(hit); res.append(("right", kind, line, None)); continue
        hit = next((f for f in left if f["kind"] == kind), None)
        if hit: left.remove(hit); res.append(("wrongline", kind, line, hit)); continue
        res.append(("missed", kind, line, None))
    rows.append((name, res, left, diffs))
    status = ",".join(r[0] for r in res) or "clean"
    print(f"{tag} {name:28s} {status:12s} extra={len(left)} diffs={diffs}", flush=True)
    for r in res:
        if r[0] == "wrongline":
            f = r[3]; print(f"     wrong line: expected {r[1]}@{r[2]}, got {f['location']} :: {f['message'][:150]}")
    for f in left:
        print(f"     EXTRA {f['kind']} {f['location']} created_at={f.get('created_at')} :: {f['message'][:160]}")

tot = {"right": 0, "wrongline": 0, "missed": 0}
for _, res, _, _ in rows:
    for r in res: tot[r[0]] += 1
fa = sum(len(l) for _, _, l, _ in rows)
nd = sum(1 for *_, d in rows if d)
print(f"SUMMARY {tag}: expected={sum(tot.values())} right={tot['right']} wrongline={tot['wrongline']} missed={tot['missed']} false_alarms={fa} behaviour_diffs={nd}")
