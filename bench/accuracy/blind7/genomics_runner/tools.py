"""Wrappers around the command-line bioinformatics tools."""
import asyncio
import subprocess
from pathlib import Path

THREADS = 8


def run_bwa(reference: Path, fq1: Path, fq2: Path, out_bam: Path) -> None:
    """bwa mem | samtools sort, as the old Snakemake rule did it."""
    bwa = subprocess.Popen(
        ["bwa", "mem", "-t", str(THREADS), str(reference), str(fq1), str(fq2)],
        stdout=subprocess.PIPE,
    )
    subprocess.run(
        ["samtools", "sort", "-@", "4", "-o", str(out_bam), "-"],
        stdin=bwa.stdout, check=True,
    )
    if bwa.wait() != 0:
        raise RuntimeError(f"bwa failed for {fq1.name}")


def run_fastqc(fq: Path, out_dir: Path) -> None:
    subprocess.run(["fastqc", "--quiet", "-o", str(out_dir), str(fq)], check=True)


async def samtools_index(bam: Path) -> None:
    proc = await asyncio.create_subprocess_exec("samtools", "index", str(bam))
    if await proc.wait() != 0:
        raise RuntimeError(f"samtools index failed for {bam}")


async def flagstat(bam: Path) -> str:
    proc = await asyncio.create_subprocess_exec(
        "samtools", "flagstat", str(bam), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return out.decode()
