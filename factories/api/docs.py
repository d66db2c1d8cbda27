"""What the schema says of each factory operation (``core.api.schema.operation``)."""

from core.api.schema import error_example, operation

PROFILE = {
    "name": "Hongda Shared Sewing",
    "lat": 36.2701,
    "lng": 120.0335,
    "service_radius_km": 30,
    "online": True,
    "offline_reason": "",
    "verified": True,
    "verification": "verified",
    "rating": 4.8,
    "rating_count": 37,
    "acceptance_rate": 0.92,
    "on_time_rate": 0.97,
    "jobs_taken": 41,
    "jobs_completed": 38,
    "cancellations": 1,
}
CAPABILITY = {
    "id": 9,
    "process": "velcro_sewing",
    "unit_price_fen": 14,
    "daily_capacity": 3000,
    "min_quantity": 500,
    "lead_time_days": 1,
}
NO_CAPABILITY = error_example(404, "not_found", "No such capability.")

profile_get = operation(
    "My factory profile",
    "For a factory: where it works from, how far it travels (`service_radius_km`), whether it "
    "is online (taking work) and why not, its verification and its track record (rating, "
    "acceptance and on-time rates, jobs taken, completed and given back). Changes nothing.",
    response=PROFILE,
)

profile_update = operation(
    "Change my factory profile",
    "For a factory: `lat`, `lng`, `service_radius_km` and `online` only (the rest is "
    "read-only: 400). Going online needs a location. Going offline withdraws its pending "
    "dispatch offers; online and verified, it sees the board and gets offers.",
    request={"online": True, "service_radius_km": 25},
    response={**PROFILE, "service_radius_km": 25},
    errors=(error_example(400, "invalid", "Set lat and lng before going online.", {"online": ["Location required."]}),),
)

capability_list = operation(
    "My capabilities",
    "For a factory: the processes it offers, each with its unit price (fen), daily capacity, "
    "minimum quantity and lead time. Eligibility and capacity for every job are computed from "
    "these. Paginated.",
    response=CAPABILITY,
)

capability_create = operation(
    "Offer a process",
    "For a factory: adds a capability (201) for one process of the catalogue; one per process "
    "(409 `capability_exists`: change the existing one instead).",
    request={
        "process": "velcro_sewing",
        "unit_price_fen": 14,
        "daily_capacity": 3000,
        "min_quantity": 500,
        "lead_time_days": 1,
    },
    response=CAPABILITY,
    errors=(
        error_example(400, "unknown_process", "Unknown process.", {"process": ["Unknown."]}),
        error_example(
            409,
            "capability_exists",
            "This factory already has a capability for that process; change it instead.",
            {"process": ["Already offered."]},
        ),
    ),
)

capability_update = operation(
    "Change a capability",
    "For the factory that owns it: price, daily capacity, minimum quantity or lead time; fields "
    "left out stay. Work already booked keeps its terms; new eligibility uses the new ones.",
    request={"unit_price_fen": 13, "daily_capacity": 4000},
    response={**CAPABILITY, "unit_price_fen": 13, "daily_capacity": 4000},
    errors=(NO_CAPABILITY,),
)

capability_delete = operation(
    "Stop offering a process",
    "For the factory that owns it: removes the capability (204), which stops new matches for "
    "that process. Assignments already taken keep their price and quantity.",
    errors=(NO_CAPABILITY,),
)

verify = operation(
    "Verify a factory",
    "For platform admins: sets a factory's verification (`verified` by default, `unverified` "
    "or `suspended`, which also takes it offline); only verified factories see the board and "
    "get offers. The path's id is the factory's company id.",
    request={"status": "verified"},
    response={
        **PROFILE,
        "online": False,
        "rating": None,
        "rating_count": 0,
        "acceptance_rate": None,
        "on_time_rate": None,
        "jobs_taken": 0,
        "jobs_completed": 0,
        "cancellations": 0,
    },
    errors=(error_example(404, "not_found", "No such factory."),),
)
