"""Run every held-out program plainly and under `asyncdoctor run`, score the findings.
usage: python harness.py PYTHON [--dir DIR] [prog ...]   (results in $TMPDIR/asyncdoctor-runtime-holdout/<tag>/)

A marker `# EXPECT: kind` is scored by kind and line; `# EXPECT: blocking-call 105ms` also
by duration: the reported duration must be within max(2 ms, 2 %) of N plus 5 ms (the
marker gives the blocking call alone, the step is a few ms longer)."""
import json, os, re, subprocess, sys, glob
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"

HERE = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
if "--dir" in args:
    i = args.index("--dir"); HERE = os.path.abspath(args[i + 1]); del args[i:i + 2]
sys.argv[1:] = args
py = sys.argv[1]
tag = subprocess.run([py, "-c", "import sys;print('%d.%d'%sys.version_info[:2])"], capture_output=True, text=True).stdout.strip()
progs = sys.argv[2:] or sorted(p for p in glob.glob(os.path.join(HERE, "*.py")) if re.match(r"[bnuprcs]\d\d_", os.path.basename(p)))
import tempfile
outdir = os.path.join(tempfile.gettempdir(), "asyncdoctor-runtime-holdout", os.path.basename(HERE), tag); os.makedirs(outdir, exist_ok=True)
EXP = re.compile(r"#\s*EXPECT:\s*([\w-]+)(?:\s+(\d+)ms)?")

def expectations(prog):
    files = [prog]
    src = open(prog).read()
    for m in re.finditer(r"^\s*(?:from|import)\s+(helper_\w+)", src, re.M):
        files.append(os.path.join(HERE, m.group(1) + ".py"))
    exp = []
    for f in files:
        for i, line in enumerate(open(f), 1):
            m = EXP.search(line)
            if m: exp.append((m.group(1), os.path.realpath(f), i, int(m.group(2)) / 1000 if m.group(2) else None))
    return exp

def norm(s):
    s = re.sub(r"0x[0-9a-f]+", "0xADDR", s)
    s = re.sub(r"('127\.0\.0\.1', )\d+", r"\1PORT", s)
    s = re.sub(r"(127\.0\.0\.1:)\d+", r"\1PORT", s)
    s = re.sub(r"\d+\.\d+", "N.N", s)
    return s

SUMMARY_LINE = re.compile(r"(asyncdoctor: \d+ runtime finding|asyncdoctor: .* not available on this Python|loop lag p50 )")


def strip_summary(err):
    """The doctor's summary taken out of stderr: its first line, the finding lines after it
    (up to the "loop lag" line), and any "not available" note; what the program wrote
    after the summary (at interpreter shutdown, say) stays."""
    kept, summary, inside = [], [], False
    for l in err.splitlines(keepends=True):
        if re.match(r"asyncdoctor: \d+ runtime finding", l):
            inside = True
        if inside or SUMMARY_LINE.match(l):
            summary.append(l)
            if l.startswith("loop lag p50 "):
                inside = False
        else:
            kept.append(l)
    return "".join(kept), "".join(summary)


rows = []
durations = []
for prog in progs:
    prog = os.path.realpath(os.path.join(HERE, prog)); name = os.path.basename(prog)
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
    for kind, path, line, seconds in exp:
        hit = next((f for f in left if f["kind"] == kind and os.path.realpath(f["location"]["path"] or "") == path and f["location"]["line"] == line), None)
        if hit:
            left.remove(hit)
            if seconds is not None and hit.get("duration") is not None:
                reported = float(hit["extra"].get("max_ms", hit["duration"] * 1000)) / 1000
                if not -max(0.002, 0.02 * seconds) <= reported - seconds <= max(0.002, 0.02 * seconds) + 0.005:
                    res.append(("wrongtime", kind, line, hit)); durations.append((name, seconds, reported)); continue
                durations.append((name, seconds, reported))
            res.append(("right", kind, line, None)); continue
        hit = next((f for f in left if f["kind"] == kind), None)
        if hit: left.remove(hit); res.append(("wrongline", kind, line, hit)); continue
        res.append(("missed", kind, line, None))
    rows.append((name, res, left, diffs))
    status = ",".join(r[0] for r in res) or "clean"
    print(f"{tag} {name:28s} {status:12s} extra={len(left)} diffs={diffs}", flush=True)
    for r in res:
        if r[0] == "wrongline":
            f = r[3]; print(f"     wrong line: expected {r[1]}@{r[2]}, got {f['location']} :: {f['message'][:150]}")
        if r[0] == "wrongtime":
            f = r[3]; print(f"     wrong duration: {f['message'][:150]}")
    for f in left:
        print(f"     EXTRA {f['kind']} {f['location']} created_at={f.get('created_at')} :: {f['message'][:160]}")

tot = {"right": 0, "wrongtime": 0, "wrongline": 0, "missed": 0}
for _, res, _, _ in rows:
    for r in res: tot[r[0]] += 1
fa = sum(len(l) for _, _, l, _ in rows)
nd = sum(1 for *_, d in rows if d)
print(f"SUMMARY {tag}: expected={sum(tot.values())} right={tot['right']} wrongtime={tot['wrongtime']} wrongline={tot['wrongline']} missed={tot['missed']} false_alarms={fa} behaviour_diffs={nd}")
if durations:
    errors = sorted(reported - seconds for _, seconds, reported in durations)
    print(f"DURATIONS {tag}: {len(errors)} timed blocks, error (reported - planted) min {errors[0]*1000:+.1f} ms, median {errors[len(errors)//2]*1000:+.1f} ms, max {errors[-1]*1000:+.1f} ms")
