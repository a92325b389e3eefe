"""Runs every sample of a sequencing run: QC, alignment, index, upload."""
import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import aioboto3

from . import storage, tools

log = logging.getLogger("genomics.runner")


@dataclass
class Sample:
    sample_id: str
    fq1: Path
    fq2: Path


class SampleRunner:
    def __init__(self, run_id: str, reference: Path, work_dir: Path, parallel: int = 3) -> None:
        self.run_id = run_id
        self.reference = reference
        self.work_dir = work_dir
        self.slots = asyncio.Semaphore(parallel)
        self.s3 = None

    async def heartbeat(self) -> None:
        while True:
            log.info("run %s still running", self.run_id)
            await asyncio.sleep(300)

    async def process(self, sample: Sample) -> None:
        out_dir = self.work_dir / sample.sample_id
        bam = out_dir / f"{sample.sample_id}.sorted.bam"
        async with self.slots:
            await asyncio.gather(
                asyncio.to_thread(tools.run_fastqc, sample.fq1, out_dir),
                asyncio.to_thread(tools.run_fastqc, sample.fq2, out_dir),
            )
            tools.run_bwa(self.reference, sample.fq1, sample.fq2, bam)  # bug: ADC101
            await tools.samtools_index(bam)
            stats = await tools.flagstat(bam)
        await storage.write_report(self.s3, self.run_id, sample.sample_id, stats)
        storage.upload_result(self.s3, self.run_id, sample.sample_id, bam)  # bug: ADC201
        log.info("%s done", sample.sample_id)

    async def run(self, samples: list[Sample]) -> None:
        asyncio.create_task(self.heartbeat())  # bug: ADC301
        async with aioboto3.Session().client("s3") as s3:
            self.s3 = s3
            async with asyncio.TaskGroup() as tg:
                for sample in samples:
                    tg.create_task(self.process(sample))
