import type { DataSource } from 'typeorm';
import type { Holdout, Layer } from './layer.entity';
import { LayerErrorReason, layerError } from './layer.errors';
import type { CreateLayerInput, HoldoutInput, UpdateLayerInput } from './layer.inputs';
import { LayerStore } from './layer.store';
import { AuditEntityType, recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { announceChange, ChangeTopic } from '../common/change-bus';

const DEFAULT_HOLDOUT_SEED = 'holdout';

export function listLayers(dataSource: DataSource): Promise<Layer[]> {
  return new LayerStore(dataSource.manager).list();
}

export async function getLayer(dataSource: DataSource, key: string): Promise<Layer> {
  const layer = await new LayerStore(dataSource.manager).findByKey(key);
  if (!layer) throw layerError(LayerErrorReason.LAYER_NOT_FOUND, `No layer with key "${key}"`, 'key');
  return layer;
}

export function createLayer(dataSource: DataSource, principal: Principal, input: CreateLayerInput): Promise<Layer> {
  return dataSource.transaction(async (manager) => {
    const layer = await new LayerStore(manager).insert({
      key: input.key,
      name: input.name,
      description: input.description ?? null,
      seed: input.seed ?? input.key,
    });
    await recordAudit(manager, principal, { entityType: AuditEntityType.LAYER, entityKey: layer.key, action: 'CREATE', before: null, after: layer });
    return layer;
  });
}

export function updateLayer(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateLayerInput): Promise<Layer> {
  return dataSource.transaction(async (manager) => {
    const store = new LayerStore(manager);
    const before = await store.lockByKey(key);
    if (!before) throw layerError(LayerErrorReason.LAYER_NOT_FOUND, `No layer with key "${key}"`, 'key');
    const after = await store.update(before, version, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    });
    await recordAudit(manager, principal, { entityType: AuditEntityType.LAYER, entityKey: key, action: 'UPDATE', before, after });
    return after;
  });
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
