"""Matching: who may take which job (``eligibility``, reads the database) and the dispatch
batch's optimal assignment (``solver``, pure numpy/scipy over plain values: ``types``,
``costs``, ``whole_jobs``, ``split_jobs``, ``greedy``). The dispatch service that runs a
batch and writes its offers is ``orders.services.dispatch``."""
