"""What each property of factory profiles and capabilities means, for the OpenAPI schema: applied to every
component that has the property (``marketplace.docs.describe_properties``). A key is a
property's name, or ``Component.name`` where one component means something else by it."""

FIELDS = {
    "FactoryProfile.name": "The factory's company name.",
    "service_radius_km": "How far from its location the factory takes work, in km (1 to 500).",
    "online": "Whether the factory is taking work now (sees the board, gets offers).",
    "offline_reason": "Why the platform switched the factory offline (e.g. offers left to expire); empty otherwise.",
    "verified": "Whether a platform admin verified the factory (only verified ones see the board and get offers).",
    "verification": "`unverified`, `verified` or `suspended` (set by a platform admin).",
    "FactoryProfile.rating": "The average rating of its deliveries (1 to 5); null before any.",
    "rating_count": "How many deliveries were rated.",
    "acceptance_rate": "The share of dispatch offers it accepted (0 to 1); null before any.",
    "on_time_rate": "The share of its deliveries made by the deadline (0 to 1); null before any.",
    "jobs_taken": "How many shares it has taken.",
    "jobs_completed": "How many shares it has completed.",
    "cancellations": "How many shares it gave back (withdrew).",
    "Capability.id": "The capability's id.",
    "daily_capacity": "Pieces of this process the factory makes per day.",
    "min_quantity": "The smallest job (pieces) it takes for this process.",
    "lead_time_days": "Days it needs before it can start on a new job.",
    "Capability.unit_price_fen": "Its price per piece for this process, in fen: it sees jobs priced at or above.",
    "CapabilityInputRequest.unit_price_fen": "Its price per piece for this process, in fen.",
    "PatchedCapabilityUpdateRequest.unit_price_fen": "Its price per piece for this process, in fen.",
    "VerifyInputRequest.status": "The factory's verification: `verified` (the default), `unverified` or "
    "`suspended` (also takes it offline).",
}
