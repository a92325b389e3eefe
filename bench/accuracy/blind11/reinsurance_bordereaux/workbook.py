"""Lloyd's-style bordereau workbooks (openpyxl, write-only mode)."""
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

COLUMNS = [
    ("Policy No", "policy_no"), ("Insured", "insured"), ("Inception", "inception"),
    ("Expiry", "expiry"), ("Sum Insured", "sum_insured"),
    ("Gross Premium", "gross_premium"), ("Ceded Premium", "ceded_premium"),
]


def build_bordereau(treaty, period: str, rows: list[dict], out_dir: Path) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=f"{treaty.code} premium")
    ws.append([f"Treaty {treaty.code}", treaty.reinsurer, period, f"cession {treaty.cession_pct}%"])
    ws.append([title for title, _ in COLUMNS])
    for row in rows:
        ws.append([row[key] for _, key in COLUMNS])
    ws.append(["Total", None, None, None, None,
               sum(r["gross_premium"] for r in rows), sum(r["ceded_premium"] for r in rows)])
    path = out_dir / f"{treaty.code}-{period}-premium.xlsx"
    wb.save(path)
    return path


def build_claims_bordereau(treaty, claims: list[dict], out_dir: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "claims"
    ws.append(["Claim No", "Policy No", "Date of Loss", "Paid", "Outstanding"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for c in claims:
        ws.append([c["claim_no"], c["policy_no"], c["loss_date"], c["paid"], c["outstanding"]])
    path = out_dir / f"{treaty.code}-claims.xlsx"
    wb.save(path)
    return path
