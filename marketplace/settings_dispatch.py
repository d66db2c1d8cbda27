"""The dispatch settings (orders/services/dispatch.py and shards.py), kept out of
``settings.py`` for its size."""


def dispatch_settings(env) -> dict:
    """Cost weights of ``orders.matching.solver.Weights``; how many nearest eligible factories
    each job is matched against; misses before a job also joins the grab board; expiries in a
    row before a factory is switched offline; and the size of a dispatch region (degrees of a
    grid cell; shards are (process, cell), docs/architecture.md "Dispatch matching")."""
    return {
        "DISPATCH_WEIGHTS": {
            "distance_per_km": env.float("DISPATCH_WEIGHT_DISTANCE", default=1.0),
            "price_ratio": env.float("DISPATCH_WEIGHT_PRICE", default=50.0),
            "rating": env.float("DISPATCH_WEIGHT_RATING", default=5.0),
            "reliability": env.float("DISPATCH_WEIGHT_RELIABILITY", default=30.0),
            "load": env.float("DISPATCH_WEIGHT_LOAD", default=20.0),
            "deadline_slack": env.float("DISPATCH_WEIGHT_DEADLINE", default=10.0),
            "quality": env.float("DISPATCH_WEIGHT_QUALITY", default=30.0),
        },
        "DISPATCH_NEAREST": env.int("DISPATCH_NEAREST", default=40),
        "DISPATCH_MISSES_TO_BOARD": env.int("DISPATCH_MISSES_TO_BOARD", default=3),
        "DISPATCH_EXPIRIES_TO_OFFLINE": env.int("DISPATCH_EXPIRIES_TO_OFFLINE", default=3),
        "DISPATCH_REGION_DEGREES": env.float("DISPATCH_REGION_DEGREES", default=0.5),
        # GB/T 2828.1 9.3.3.1 d): switching to reduced inspection needs the responsible
        # authority's approval; off until the platform has checked Table 2-C against its
        # licensed copy of the standard (docs/inspection.md).
        "INSPECTION_REDUCED_ALLOWED": env.bool("INSPECTION_REDUCED_ALLOWED", default=False),
    }
