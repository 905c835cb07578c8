import { domainErrors, ErrorCode } from '../common/errors';

export enum LayerErrorReason {
  LAYER_NOT_FOUND = 'LAYER_NOT_FOUND',
  KEY_TAKEN = 'KEY_TAKEN',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  LAYER_FULL = 'LAYER_FULL',
}

export const layerError = domainErrors<LayerErrorReason>({
  [LayerErrorReason.LAYER_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [LayerErrorReason.KEY_TAKEN]: ErrorCode.CONFLICT,
  [LayerErrorReason.VERSION_CONFLICT]: ErrorCode.CONFLICT,
  [LayerErrorReason.LAYER_FULL]: ErrorCode.CONFLICT,
});
