import asyncio
import logging
import shlex
import time
from dataclasses import dataclass, field

log = logging.getLogger("pipeline")


class DependencyFailed(Exception):
    pass


@dataclass
class Step:
    name: str
    cmd: str
    needs: list = field(default_factory=list)
    env: dict = field(default_factory=dict)


class Pipeline:
    def __init__(self, steps, workdir):
        self.steps = steps
        self.workdir = workdir
        self.status = {}
        self.logs = {}
        self.durations = {}

    async def _collect_output(self, name, stream):
        lines = self.logs.setdefault(name, [])
        async for raw in stream:
            line = raw.decode(errors="replace").rstrip()
            lines.append(line)
            log.debug("[%s] %s", name, line)

    async def _run_step(self, step):
        started = time.monotonic()
        self.status[step.name] = "running"
        proc = await asyncio.create_subprocess_exec(
            *shlex.split(step.cmd),
            cwd=self.workdir,
            env=step.env or None,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        asyncio.create_task(self._collect_output(step.name, proc.stdout))  # bug: ADC301
        rc = await proc.wait()
        self.durations[step.name] = time.monotonic() - started
        self.status[step.name] = "ok" if rc == 0 else "failed"
        log.info("%s finished with %d in %.1fs", step.name, rc, self.durations[step.name])

    async def _wait_for_needs(self, step):
        while any(self.status.get(dep) != "ok" for dep in step.needs):  # bug: ADC503
            failed = [dep for dep in step.needs if self.status.get(dep) == "failed"]
            if failed:
                raise DependencyFailed(f"{step.name}: {', '.join(failed)} failed")
            await asyncio.sleep(0.2)

    async def _run_when_ready(self, step):
        try:
            await self._wait_for_needs(step)
        except DependencyFailed as exc:
            self.status[step.name] = "failed"
            log.warning("skipping %s", exc)
            return
        await self._run_step(step)

    async def run(self):
        await asyncio.gather(*(self._run_when_ready(step) for step in self.steps))  # bug: ADC502
        return all(state == "ok" for state in self.status.values())


def load_matrix(targets, pythons):
    steps = [Step("lint", "ruff check ."), Step("build", "python -m build")]
    for target in targets:
        for py in pythons:
            steps.append(
                Step(f"test-{target}-py{py}", f"tox -e py{py.replace('.', '')}-{target}", needs=["build"])
            )
    return steps
