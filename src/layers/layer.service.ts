import type { DataSource } from 'typeorm';
import type { Holdout, Layer } from './layer.entity';
import type { CreateLayerInput, HoldoutInput, UpdateLayerInput } from './layer.inputs';
import { LayerStore, layerRefusals } from './layer.store';
import { AuditEntityType, recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { announceChange, ChangeTopic } from '../common/change-bus';
import { createVersioned, editVersioned, type VersionedDomain } from '../common/versioned-store';

const DEFAULT_HOLDOUT_SEED = 'holdout';

export function listLayers(dataSource: DataSource): Promise<Layer[]> {
  return new LayerStore(dataSource.manager).list();
}

const layers: VersionedDomain<Layer> = {
  store: (manager) => new LayerStore(manager),
  refusals: layerRefusals,
  auditType: AuditEntityType.LAYER,
  // A layer's name and description do not reach resolution; its slices change with its experiments.
  announces: false,
};

export async function getLayer(dataSource: DataSource, key: string): Promise<Layer> {
  const layer = await new LayerStore(dataSource.manager).findByKey(key);
  if (!layer) throw layerRefusals.notFound(key);
  return layer;
}

export function createLayer(dataSource: DataSource, principal: Principal, input: CreateLayerInput): Promise<Layer> {
  return createVersioned(dataSource, principal, layers, async () => ({
    key: input.key,
    name: input.name,
    description: input.description ?? null,
    seed: input.seed ?? input.key,
  }));
}

export function updateLayer(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateLayerInput): Promise<Layer> {
  return editVersioned(dataSource, principal, layers, { key, version, action: 'UPDATE' }, async () => ({
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  }));
}

export function getHoldout(dataSource: DataSource): Promise<Holdout | null> {
  return new LayerStore(dataSource.manager).getHoldout();
}

export function setHoldout(dataSource: DataSource, principal: Principal, input: HoldoutInput): Promise<Holdout> {
  return dataSource.transaction(async (manager) => {
    const store = new LayerStore(manager);
    const before = await store.lockHoldout();
    const after = await store.saveHoldout(input.percentage, input.seed ?? before?.seed ?? DEFAULT_HOLDOUT_SEED);
    await recordAudit(manager, principal, { entityType: AuditEntityType.HOLDOUT, entityKey: 'global', action: 'SET', before, after });
    await announceChange(manager, ChangeTopic.CONFIG);
    return after;
  });
}
