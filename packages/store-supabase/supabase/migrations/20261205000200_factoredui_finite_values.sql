-- FactoredUI store: NaN refused wherever a finite number is required (issue #18 follow-up).
--
-- The CHECKs of 20260101000000 on factor_snapshots.value and thresholds.value read
-- `value = value and value not in ('Infinity', '-Infinity')`: the IEEE test for NaN, which
-- PostgreSQL does not follow (it orders NaN equal to itself and above every number), so NaN got
-- through. pair_factors (20261205000100) refuses it through its domain; these two now refuse it
-- too. NOT VALID: rows already stored are not re-read (snapshots are immutable, and neither
-- table can hold a NaN that any FactoredUI code wrote); every new or updated row is checked.

alter table factoredui.factor_snapshots drop constraint if exists factor_snapshots_value_check;
alter table factoredui.factor_snapshots add constraint factor_snapshots_value_check
  check (value not in ('NaN', 'Infinity', '-Infinity')) not valid;

alter table factoredui.thresholds drop constraint if exists thresholds_value_check;
alter table factoredui.thresholds add constraint thresholds_value_check
  check (value not in ('NaN', 'Infinity', '-Infinity')) not valid;
