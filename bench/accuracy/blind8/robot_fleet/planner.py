"""Order-to-robot assignment with OR-Tools.

CPU-bound: the solver is given SOLVE_SECONDS of wall time per wave.
"""
from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

SOLVE_SECONDS = 2


def solve_wave(robots: list[str], picks: list[dict], dist) -> dict[str, list[int]]:
    nodes = [None] * len(robots) + picks  # first nodes are the robots' start positions
    manager = pywrapcp.RoutingIndexManager(len(nodes), len(robots), list(range(len(robots))),
                                           list(range(len(robots))))
    routing = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return dist(nodes[manager.IndexToNode(i)], nodes[manager.IndexToNode(j)])

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(cost))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.seconds = SOLVE_SECONDS
    solution = routing.SolveWithParameters(params)
    plan: dict[str, list[int]] = {}
    for v, robot in enumerate(robots):
        idx, route = routing.Start(v), []
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            if node >= len(robots):
                route.append(nodes[node]["id"])
            idx = solution.Value(routing.NextVar(idx))
        plan[robot] = route
    return plan
