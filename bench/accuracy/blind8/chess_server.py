"""Blitz chess server for a club website (websockets + python-chess).

Two players per game, a clock per side, a "hint" button that asks Stockfish
for a move, and a post-game analysis of every position.
"""
from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass, field

import chess
import chess.engine
import websockets

STOCKFISH = "/usr/games/stockfish"


@dataclass
class Game:
    white: websockets.ServerConnection
    black: websockets.ServerConnection
    board: chess.Board = field(default_factory=chess.Board)
    clock: dict[bool, float] = field(default_factory=lambda: {chess.WHITE: 180.0, chess.BLACK: 180.0})
    flag: asyncio.TimerHandle | None = None


class ChessServer:
    def __init__(self) -> None:
        self.games: dict[str, Game] = {}
        self.waiting: tuple[websockets.ServerConnection, asyncio.Future[str]] | None = None
        self.hint_engine = chess.engine.SimpleEngine.popen_uci(STOCKFISH)

    def send_both(self, game: Game, msg: dict) -> None:
        websockets.broadcast({game.white, game.black}, json.dumps(msg))

    async def flag_fall(self, game_id: str) -> None:
        game = self.games.pop(game_id)
        loser = "white" if game.board.turn == chess.WHITE else "black"
        self.send_both(game, {"type": "over", "reason": "time", "loser": loser})
        await self.store_result(game_id, game)

    async def store_result(self, game_id: str, game: Game) -> None:
        transport, engine = await chess.engine.popen_uci(STOCKFISH)
        try:
            board, evals = chess.Board(), []
            for move in game.board.move_stack:
                board.push(move)
                info = await engine.analyse(board, chess.engine.Limit(depth=14))
                evals.append(info["score"].white().score(mate_score=10_000))
        finally:
            await engine.quit()
        self.send_both(game, {"type": "analysis", "game": game_id, "evals": evals})

    async def on_move(self, game_id: str, game: Game, uci: str, spent: float) -> None:
        move = chess.Move.from_uci(uci)
        if move not in game.board.legal_moves:
            return
        mover = game.board.turn
        game.clock[mover] -= spent
        game.board.push(move)
        if game.flag is not None:
            game.flag.cancel()
        self.send_both(game, {"type": "move", "uci": uci, "clock": game.clock})
        if game.board.is_game_over():
            self.games.pop(game_id, None)
            await self.store_result(game_id, game)
            return
        loop = asyncio.get_running_loop()
        game.flag = loop.call_later(game.clock[game.board.turn], self.flag_fall, game_id)  # bug: ADC202

    async def handler(self, ws: websockets.ServerConnection) -> None:
        if self.waiting is None:
            self.waiting = (ws, asyncio.get_running_loop().create_future())
            game_id = await self.waiting[1]
        else:
            (opponent, paired), self.waiting = self.waiting, None
            game_id = secrets.token_hex(6)
            self.games[game_id] = Game(white=opponent, black=ws)
            paired.set_result(game_id)
            self.send_both(self.games[game_id], {"type": "start", "game": game_id})
        game = self.games[game_id]
        async for raw in ws:
            msg = json.loads(raw)
            if msg["type"] == "move":
                await self.on_move(game_id, game, msg["uci"], float(msg["spent"]))
            elif msg["type"] == "hint":
                result = self.hint_engine.play(game.board, chess.engine.Limit(time=0.5))  # bug: ADC101
                await ws.send(json.dumps({"type": "hint", "uci": result.move.uci()}))


async def serve(server: ChessServer) -> None:
    async with websockets.serve(server.handler, "0.0.0.0", 8300):
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    srv = ChessServer()
    try:
        asyncio.run(serve(srv))
    finally:
        srv.hint_engine.quit()
