"""PostgreSQL triggers that make the ledger's rules hold whatever code writes to it.

- ``payments_ledgerleg_balanced``: a constraint trigger, deferred to commit, that refuses
  a transaction whose legs do not sum to zero (checked once all legs are in).
- ``payments_ledgertransaction_has_legs``: likewise refuses a transaction with no legs.
- ``payments_ledgerleg_immutable`` / ``payments_ledgertransaction_immutable``: refuse
  UPDATE and DELETE; a mistake is corrected by a reversing transaction. TRUNCATE fires
  no row triggers, so test teardown and ``flush`` still work.

The service raises its own errors first; these are the last line of defence.
"""

from django.db import migrations

CREATE_SQL = """
CREATE FUNCTION payments_ledger_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tx_ids bigint[];
    tx bigint;
    total numeric;
BEGIN
    IF TG_OP = 'INSERT' THEN
        tx_ids := ARRAY[NEW.transaction_id];
    ELSIF TG_OP = 'DELETE' THEN
        tx_ids := ARRAY[OLD.transaction_id];
    ELSE
        tx_ids := ARRAY[OLD.transaction_id, NEW.transaction_id];
    END IF;
    FOREACH tx IN ARRAY tx_ids LOOP
        SELECT COALESCE(SUM(amount_fen), 0) INTO total
          FROM payments_ledgerleg WHERE transaction_id = tx;
        IF total <> 0 THEN
            RAISE EXCEPTION 'ledger transaction % is unbalanced: legs sum to %', tx, total
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER payments_ledgerleg_balanced
    AFTER INSERT OR UPDATE OR DELETE ON payments_ledgerleg
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_check_balanced();

CREATE FUNCTION payments_ledger_check_has_legs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM payments_ledgerleg WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'ledger transaction % (%) has no legs', NEW.id, NEW.key
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER payments_ledgertransaction_has_legs
    AFTER INSERT ON payments_ledgertransaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_check_has_legs();

CREATE FUNCTION payments_ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: ledger rows are immutable, post a reversing transaction instead',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER payments_ledgerleg_immutable
    BEFORE UPDATE OR DELETE ON payments_ledgerleg
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_refuse_change();

CREATE TRIGGER payments_ledgertransaction_immutable
    BEFORE UPDATE OR DELETE ON payments_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_refuse_change();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS payments_ledgertransaction_immutable ON payments_ledgertransaction;
DROP TRIGGER IF EXISTS payments_ledgerleg_immutable ON payments_ledgerleg;
DROP TRIGGER IF EXISTS payments_ledgertransaction_has_legs ON payments_ledgertransaction;
DROP TRIGGER IF EXISTS payments_ledgerleg_balanced ON payments_ledgerleg;
DROP FUNCTION IF EXISTS payments_ledger_refuse_change();
DROP FUNCTION IF EXISTS payments_ledger_check_has_legs();
DROP FUNCTION IF EXISTS payments_ledger_check_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(CREATE_SQL, DROP_SQL, elidable=False),
    ]
