"""Thin client for a Jupyter Enterprise/Kernel Gateway: start kernels and run notebook cells."""
import asyncio
import json
import logging
import uuid

import httpx
import websockets

log = logging.getLogger("kgw")


class KernelSession:
    def __init__(self, gateway: str, token: str) -> None:
        self.gateway = gateway.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.gateway, headers={"Authorization": f"token {token}"})
        self.token = token
        self.kernels: dict[str, asyncio.Task] = {}

    def _ws_url(self, kernel_id: str) -> str:
        return self.gateway.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?token={self.token}"

    @staticmethod
    def _execute_msg(code: str) -> dict:
        return {
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "svc",
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False},
        }

    async def start(self, spec: str = "python3") -> str:
        resp = await self.http.post("/api/kernels", json={"name": spec})
        resp.raise_for_status()
        kernel_id = resp.json()["id"]
        watcher = asyncio.create_task(self._heartbeat(kernel_id))
        self.kernels[kernel_id] = watcher
        watcher.add_done_callback(self._on_kernel_exit)  # bug: ADC202
        return kernel_id

    async def _heartbeat(self, kernel_id: str) -> None:
        ws = await websockets.connect(self._ws_url(kernel_id), ping_interval=20)  # bug: ADC401
        await ws.wait_closed()

    async def _on_kernel_exit(self, task: asyncio.Task) -> None:
        for kernel_id, t in list(self.kernels.items()):
            if t is task:
                del self.kernels[kernel_id]
                await self.http.delete(f"/api/kernels/{kernel_id}")

    async def run_cell(self, kernel_id: str, code: str, timeout: float = 60) -> list[str]:
        msg = self._execute_msg(code)
        outputs: list[str] = []
        async with websockets.connect(self._ws_url(kernel_id)) as ws:
            await ws.send(json.dumps(msg))
            async with asyncio.timeout(timeout):
                async for raw in ws:
                    reply = json.loads(raw)
                    if reply.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
                        continue
                    if reply["msg_type"] == "stream":
                        outputs.append(reply["content"]["text"])
                    elif reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                        break
        return outputs

    async def aclose(self) -> None:
        for task in self.kernels.values():
            task.cancel()
        await asyncio.gather(*self.kernels.values(), return_exceptions=True)
        await self.http.aclose()
