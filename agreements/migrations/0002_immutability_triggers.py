"""On PostgreSQL, refuse changes to what must never change, whatever issues the SQL.

- A published or superseded agreement version cannot be updated or deleted; the one change
  allowed is published -> superseded (status and superseded_at, nothing else).
- A signature and a sign-off log entry cannot be updated or deleted.

QuerySet.update(), raw SQL and the admin all hit the same trigger. TRUNCATE is left to the
database owner (test databases are emptied with it).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION agreements_version_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'agreement version % is % and cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'published' AND NEW.status = 'superseded'
       AND (to_jsonb(NEW) - 'status' - 'superseded_at' - 'updated_at')
           = (to_jsonb(OLD) - 'status' - 'superseded_at' - 'updated_at') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'agreement version % is % and cannot be changed', OLD.id, OLD.status
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER agreements_version_immutable
    BEFORE UPDATE OR DELETE ON agreements_agreementversion
    FOR EACH ROW EXECUTE FUNCTION agreements_version_immutable();

CREATE OR REPLACE FUNCTION agreements_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are permanent: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER agreements_signature_permanent
    BEFORE UPDATE OR DELETE ON agreements_signature
    FOR EACH ROW EXECUTE FUNCTION agreements_append_only();

CREATE TRIGGER agreements_signoffevent_permanent
    BEFORE UPDATE OR DELETE ON agreements_signoffevent
    FOR EACH ROW EXECUTE FUNCTION agreements_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS agreements_signoffevent_permanent ON agreements_signoffevent;
DROP TRIGGER IF EXISTS agreements_signature_permanent ON agreements_signature;
DROP TRIGGER IF EXISTS agreements_version_immutable ON agreements_agreementversion;
DROP FUNCTION IF EXISTS agreements_append_only();
DROP FUNCTION IF EXISTS agreements_version_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
