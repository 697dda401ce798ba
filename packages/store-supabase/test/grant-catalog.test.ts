import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

/**
 * The reviewed grant catalog of schema factoredui (DESIGN §15). A migration that adds a
 * function callable by clients, a SECURITY DEFINER function, or a table privilege fails here
 * until the lists below are updated, i.e. until someone has reviewed what the new grant lets a
 * hostile client do. (Most entries are SECURITY INVOKER helpers: grants and row-level security
 * still apply to the caller inside them, and service-only operations check the role.)
 */
// Reviewed (migrations 20261127000500/000510): statistics_release_pairs, release_assigned_count,
// release_variant_statistics, bytes_limit_name and the trigger functions check_experiment_limits
// and check_governance_log_limits are executable by service_role only (none appears below);
// statistics_release_assigned is a service-only table (no client privilege below).
// Reviewed for the 0.5.1 upgrade (20261201000100): upgrade_from_051, upgrade_051_step and
// upgrade_051_kept are owner-only (revoked from PUBLIC, anon, authenticated), so they are in no
// list below, and upgrade_051_steps has no client privilege (the table list is unchanged).
// Reviewed additions of the input-limit migrations: limits(), limit_of, json_depth,
// json_too_deep, too_deep_path, json_limit_problem, text_limit_problem and envelope_version are
// SECURITY INVOKER pure functions of their arguments (no table access), with search_path ''.
// custom_event_problem (issue #19) is the same kind: a pure check of a custom event's payload,
// called by the events trigger.
// Metrics (issue #19): metric_event_matches and metric_property are pure functions of their
// arguments; metric_json formats a row; list_metrics reads the metrics table as the caller
// (definitions are public: select for anon and authenticated); define_metric and
// metric_statistics are SECURITY INVOKER and call require_service first, so a client calling
// them gets `unauthorized` (the conformance suite proves it on every store); set_metric_plan
// likewise; get_metric_plan reads metric_plans as the caller (select for authenticated only).
// Reviewed for layers (20261202000100, issue #19): in_layer and the trigger function
// check_experiment_layer are service_role only (none appears below).
// Reviewed for the holdout (20261202000200, issue #19): held_out is service_role only;
// set_holdout is SECURITY INVOKER and calls require_service first (clients get unauthorized);
// get_holdout reads the holdout table as the caller (select for authenticated; anon gets null
// without touching the table); holdout_json formats a row.
// Reviewed additions of the fast refresh (#18): factor_values_sql is a pure function returning
// the factor query text (compute_factors, callable by clients as before, runs it).
// Reviewed with the 4× first refresh (#18, 20261204000100): factor_pairs_sql and
// factor_expand_sql are the two halves of that text (factor_values_sql calls both, so they are
// executable wherever it is), pure functions of their argument. check_event_sessions and
// check_event_times (20261204000200) are the session and createdAt checks insert_events runs
// (as its caller): SECURITY INVOKER, they only raise the error insert_events gives for a bad
// batch, reading sessions under the caller's row-level security as insert_events always did.
// Reviewed with the pair-per-row factors (#18, 20261205000100): factor_columns_sql is the last
// step of the factor query text (factor_expand_sql calls it), a pure function of its argument.
// write_factor_value, the INSTEAD OF trigger of the factors view, is revoked from every client
// role (triggers cannot be called directly; the view's own grants decide who writes).
const CLIENT_FUNCTIONS = [
  'activate_spec(input jsonb)',
  'append_governance_log(entry jsonb)',
  'arg_factors(args jsonb)',
  'arg_limit(args jsonb)',
  'arg_path(args jsonb, field text, required boolean)',
  'arg_text(args jsonb, field text, required boolean)',
  'arg_texts(args jsonb, field text)',
  'arg_uuid(args jsonb, field text, required boolean)',
  'arg_version(input jsonb)',
  'assignment_json(a factoredui.assignments)',
  'caller_kind()',
  'check_event_sessions(events jsonb)',
  'check_event_times(events jsonb)',
  'check_window(window_ms double precision)',
  'cluster_json(c factoredui.clusters)',
  'compute_factors(as_of timestamp with time zone, window_ms double precision)',
  'custom_event_problem(payload jsonb)',
  'define_metric(definition jsonb)',
  'envelope_version(envelope jsonb)',
  'event_json(e factoredui.events)',
  'experiment_json(e factoredui.experiments)',
  'experiment_summaries(experiment_ids uuid[])',
  'exposure_json(x factoredui.exposures)',
  'factor_columns_sql(pairs text)',
  'factor_expand_sql(pairs text)',
  'factor_pairs_sql(source text)',
  'factor_value_json(user_id text, path text, factor text, value double precision, as_of timestamp with time zone)',
  'factor_values_sql(source text)',
  'find_experiment(id_or_name text)',
  'find_spec(name text, platform text, version integer)',
  'forbid_change()',
  'get_active_spec(input jsonb)',
  'get_closest_snapshot(query jsonb)',
  'get_cluster_members(cluster_id integer)',
  'get_component_aggregates(query jsonb)',
  'get_experiment(id_or_name text)',
  'get_experiment_summaries(query jsonb)',
  'get_experiment_summary(experiment_id uuid)',
  'get_factor_history(query jsonb)',
  'get_factors(query jsonb)',
  'get_holdout()',
  'get_metric_plan(experiment_id text)',
  'get_session(session_id uuid)',
  'get_spec(input jsonb)',
  'get_user_cluster(user_id text)',
  'holdout_json(h factoredui.holdout)',
  'insert_events(events jsonb)',
  'insert_experiment(definition jsonb)',
  'is_component_path(path text)',
  'is_uuid(value text)',
  'iso(t timestamp with time zone)',
  'json_depth(value jsonb)',
  'json_limit_problem(value jsonb, field text, max_bytes bigint)',
  'json_too_deep(value jsonb)',
  'limit_of(name text)',
  'limits()',
  'list_assignments(query jsonb)',
  'list_events(query jsonb)',
  'list_experiments(query jsonb)',
  'list_exposures(query jsonb)',
  'list_governance_log(query jsonb)',
  'list_metrics(query jsonb)',
  'list_sessions(query jsonb)',
  'list_spec_versions(input jsonb)',
  'list_thresholds(query jsonb)',
  'metric_event_matches(type text, path text, payload jsonb, event text, filter_path text)',
  'metric_json(m factoredui.metrics)',
  'metric_property(type text, payload jsonb, property text)',
  'metric_statistics(query jsonb)',
  'notify_change()',
  'record_assignment(assignment jsonb)',
  'record_exposure(exposure jsonb)',
  'refresh_factors(as_of timestamp with time zone, window_ms double precision)',
  'released_statistics(query jsonb)',
  'require_service(operation text)',
  'require_writer(user_id text, operation text)',
  'save_spec(input jsonb)',
  'session_json(s factoredui.sessions)',
  'set_holdout(holdout jsonb)',
  'set_metric_plan(experiment_id uuid, plan jsonb)',
  'snapshot_factors(as_of timestamp with time zone, window_ms double precision)',
  'snapshot_value_json(s factoredui.factor_snapshots)',
  'spec_json(s factoredui.specs)',
  'spec_key(input jsonb, OUT name text, OUT platform text)',
  'start_session(session jsonb)',
  'store_clusters(assignments jsonb)',
  'sufficient_statistics(query jsonb)',
  'text_limit_problem(value text, field text, limit_name text)',
  'threshold_json(t factoredui.thresholds)',
  'to_time(value text, field text)',
  'too_deep_path()',
  'transition_experiment(experiment_id uuid, change jsonb)',
  'uid()',
  'update_experiment(experiment_id uuid, patch jsonb)',
  'upsert_threshold(threshold jsonb)',
  'variants_valid(variants jsonb)',
  'whoami()',
];

/**
 * Executable by `authenticated` but not `anon` (in catalog order): request_erasure queues the
 * signed-in caller's own erasure (DESIGN §19).
 */
const CLIENT_FUNCTIONS_OF = {
  anon: CLIENT_FUNCTIONS,
  authenticated: [
    ...CLIENT_FUNCTIONS.slice(0, CLIENT_FUNCTIONS.indexOf('require_service(operation text)')),
    'request_erasure()',
    ...CLIENT_FUNCTIONS.slice(CLIENT_FUNCTIONS.indexOf('require_service(operation text)')),
  ],
};

/**
 * SECURITY DEFINER functions: each reads past row-level security and re-checks its caller.
 * Data lifecycle (DESIGN §19): erase_user and prune_events are executable by service_role only
 * and check invoker_kind() themselves; erase_user_data is executable by no API role (only the
 * owner's own definer functions reach it). They are the only way rows leave the append-only
 * events and factor_snapshots tables. erase_deleted_auth_user is the auth.users trigger (no
 * API role);
 * process_erasure_requests is service_role only; request_erasure is executable by
 * `authenticated` only and erases nothing: it queues the caller's own id from the JWT (one
 * pending request per user).
 * mark_factor_pairs (#18) is a trigger function (not callable directly): it records the
 * (user, path) of the events its own statement inserted or deleted in the service-only
 * factor_dirty table.
 */
const DEFINER_FUNCTIONS = [
  'erase_deleted_auth_user()',
  'erase_user(user_id text)',
  'erase_user_data(user_id text, source text)',
  'get_component_aggregates(query jsonb)',
  'mark_factor_pairs()',
  'process_erasure_requests(options jsonb)',
  'prune_events(options jsonb)',
  'record_assignment(assignment jsonb)',
  'record_exposure(exposure jsonb)',
  'released_statistics(query jsonb)',
  'request_erasure()',
  'sufficient_statistics_k_anonymous(query jsonb)',
];

/** Table privileges per client role (`table:PRIVILEGES`). */
const TABLE_PRIVILEGES = {
  anon: ['factor_catalog:SELECT', 'metrics:SELECT'],
  authenticated: [
    'assignments:SELECT',
    'clusters:SELECT',
    'events:INSERT,SELECT',
    'experiments:SELECT',
    'exposures:SELECT',
    'factor_catalog:SELECT',
    // The as_of and window of everyone's current values (no personal data), for get_factors.
    'factor_refresh:SELECT',
    'factor_snapshots:SELECT',
    // A view of pair_factors (security_invoker): the user's own rows, by pair_factors' policy.
    'factors:SELECT',
    'governance_log:SELECT',
    // The project's holdout (share and seed): flag clients need it to decide (#19).
    'holdout:SELECT',
    'metric_plans:SELECT',
    'metrics:SELECT',
    // The current factor values, one row per (user, path): the user's own rows (policy).
    'pair_factors:SELECT',
    'sessions:INSERT,SELECT',
    'spec_pointers:SELECT',
    'specs:SELECT',
    'thresholds:SELECT',
  ],
};

const FUNCTION = `p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'`;
const IN_SCHEMA = `from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'factoredui'`;

async function names(db: TestDatabase, text: string, params: unknown[] = []): Promise<string[]> {
  return (await db.sql.query(text, params)).rows.map((r) => String(r.name));
}

function catalogSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`grant catalog of schema factoredui (${name})`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it('every function has a fixed search_path (SECURITY DEFINER ones above all)', async () => {
      expect(
        await names(
          db,
          `select ${FUNCTION} as name ${IN_SCHEMA}
           and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')
           order by 1`,
        ),
      ).toEqual([]);
    });

    it('the SECURITY DEFINER functions are exactly the reviewed ones', async () => {
      expect(
        await names(db, `select ${FUNCTION} as name ${IN_SCHEMA} and p.prosecdef order by 1`),
      ).toEqual(DEFINER_FUNCTIONS);
    });

    for (const role of ['anon', 'authenticated'] as const) {
      it(`${role} may execute exactly the reviewed functions`, async () => {
        expect(
          await names(
            db,
            `select ${FUNCTION} as name ${IN_SCHEMA} and has_function_privilege($1, p.oid, 'execute') order by 1`,
            [role],
          ),
        ).toEqual(CLIENT_FUNCTIONS_OF[role]);
      });

      it(`${role} holds exactly the reviewed table privileges`, async () => {
        expect(
          await names(
            db,
            `select c.relname || ':' || string_agg(pr, ',' order by pr) as name
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
             cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) pr
             where n.nspname = 'factoredui' and c.relkind in ('r', 'v', 'm', 'S', 'p')
               and has_table_privilege($1, c.oid, pr)
             group by c.relname order by 1`,
            [role],
          ),
        ).toEqual(TABLE_PRIVILEGES[role]);
      });
    }

    it('nothing in the schema is executable by PUBLIC', async () => {
      expect(
        await names(
          db,
          `select ${FUNCTION} as name ${IN_SCHEMA}
           and exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                       where a.grantee = 0 and a.privilege_type = 'EXECUTE')
           order by 1`,
        ),
      ).toEqual([]);
    });
  });
}

catalogSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  catalogSuite('PostgreSQL server', () => createServerDatabase('catalog'));
});
