-- shard_layout3.sql - upgrades a sharded collection of layout 2 to layout 3
-- in place, without moving a row: run it on every shard first, then on
-- the coordinator.
--   on a shard: beside each token partition set_tokens_pNN, the table
--     set_token_lists_pNN and the trigger that turns a row of it (a
--     record's tokens as two arrays) into the record's set_tokens_pNN rows,
--     as db init --shard makes them;
--   on the coordinator (it has malgopher_shard_layout): the partitioned
--     table set_token_lists, its partition NN a foreign table on the server
--     and schema of set_tokens_pNN, and the layout set to 3.
-- Each run is one transaction; writers of the collection must be stopped
-- while the coordinator's part runs.  docs/collection.md "Upgrading";
-- usage: psql "URI" -v ON_ERROR_STOP=1 -f tools/shard_layout3.sql
DO $$
DECLARE
    t text;
    lists text;
    r record;
BEGIN
    IF to_regclass('malgopher_shard_layout') IS NULL THEN
        -- a shard
        FOR t IN SELECT tablename FROM pg_tables
                 WHERE schemaname = current_schema() AND tablename ~ '^set_tokens_p[0-9]+$' LOOP
            lists := 'set_token_lists' || substr(t, 11);
            EXECUTE format('CREATE TABLE IF NOT EXISTS %I (sample_id BIGINT NOT NULL, slots INTEGER[] NOT NULL,'
                           ' vals BIGINT[] NOT NULL)', lists);
            EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql'
                           ' SET search_path FROM CURRENT AS $f$ BEGIN'
                           ' INSERT INTO %I (slot, value, sample_id) SELECT s, v, NEW.sample_id'
                           ' FROM unnest(NEW.slots, NEW.vals) AS u(s, v); RETURN NULL; END $f$',
                           lists || '_put', t);
            EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', lists || '_put', lists);
            EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION %I()',
                           lists || '_put', lists, lists || '_put');
        END LOOP;
        RETURN;
    END IF;
    -- the coordinator
    IF (SELECT max(version) FROM malgopher_shard_layout) IS DISTINCT FROM 2 THEN
        RAISE EXCEPTION 'not a sharded collection of layout 2 (malgopher_shard_layout says %)',
            (SELECT max(version) FROM malgopher_shard_layout);
    END IF;
    CREATE TABLE set_token_lists (sample_id BIGINT NOT NULL, slots INTEGER[] NOT NULL, vals BIGINT[] NOT NULL)
        PARTITION BY HASH (sample_id);
    FOR r IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound, s.srvname,
                    (SELECT option_value FROM pg_options_to_table(f.ftoptions) WHERE option_name = 'schema_name') AS sch
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             JOIN pg_foreign_table f ON f.ftrelid = c.oid JOIN pg_foreign_server s ON s.oid = f.ftserver
             WHERE i.inhparent = 'set_tokens'::regclass LOOP
        lists := 'set_token_lists' || substr(r.relname, 11);
        EXECUTE format('CREATE FOREIGN TABLE %I PARTITION OF set_token_lists %s SERVER %I'
                       ' OPTIONS (schema_name %L, table_name %L)',
                       lists, r.bound, r.srvname, coalesce(r.sch, current_schema()), lists);
    END LOOP;
    UPDATE malgopher_shard_layout SET version = 3;
END $$;
