"""Lending policy: affordability, loan-to-value and credit rules."""
import asyncio
import logging
from dataclasses import dataclass

from . import valuation
from .bureau import CreditReport

log = logging.getLogger(__name__)

MAX_LTV = 0.90
MAX_LTI = 4.5
STRESS_RATE = 0.0775
MIN_SCORE = 560


@dataclass
class Outcome:
    decision: str
    reasons: list[str]
    valuation: int
    ltv: float


def stressed_payment(loan: int, years: int) -> float:
    r = STRESS_RATE / 12
    n = years * 12
    return loan * r / (1 - (1 + r) ** -n)


def affordability(income: int, commitments: int, loan: int, years: int) -> list[str]:
    reasons = []
    if loan > income * MAX_LTI:
        reasons.append("loan exceeds income multiple")
    monthly_net = income * 0.72 / 12 - commitments
    if stressed_payment(loan, years) > monthly_net * 0.45:
        reasons.append("fails stressed affordability")
    return reasons


def credit_rules(report: CreditReport) -> list[str]:
    reasons = []
    if report.score < MIN_SCORE:
        reasons.append("score below policy minimum")
    if report.ccjs or report.defaults > 1:
        reasons.append("adverse credit")
    if report.missed_payments_12m > 2:
        reasons.append("recent missed payments")
    return reasons


async def underwrite(app_row, report: CreditReport, http) -> Outcome:
    avm_task = asyncio.create_task(  # bug: ADC302
        valuation.automated_valuation(app_row["postcode"], app_row["address_line"], app_row["property_type"])
    )
    avm, confidence = await avm_task
    reasons = credit_rules(report) + affordability(
        app_row["income"], app_row["commitments"], app_row["loan"], app_row["term_years"]
    )
    if confidence < 0.7:
        comps = await valuation.comparables(http, app_row["postcode"], app_row["bedrooms"])
        if not comps:
            reasons.append("no comparables; refer for surveyor valuation")
    ltv = app_row["loan"] / avm
    if ltv > MAX_LTV:
        reasons.append(f"LTV {ltv:.0%} above {MAX_LTV:.0%}")
    decision = "accept" if not reasons else ("refer" if len(reasons) == 1 else "decline")
    log.info("application %s: %s %s", app_row["id"], decision, reasons)
    return Outcome(decision, reasons, avm, round(ltv, 4))
