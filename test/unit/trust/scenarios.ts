/** The trust scenarios for the tests, built once per process from the fixture keys and the tests' clock. */
import { decodeTrustList } from '../../../server/src/core/tlv/decode';
import { TrustList } from '../../../server/src/core/tlv/model';
import { decodeSignedFile } from '../../../server/src/core/sgn/decode';
import { loadFixtureKeys } from '../../../server/src/lab/cluster/clusterKeys';
import { makeTrustScenarios, TrustScenarios } from '../../../server/src/fixtures/trustScenarios';
import { signedFileDownload, trustListDownload } from '../../../server/src/trust/downloads';
import { Download, HeldList } from '../../../server/src/trust/model';
import { KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';

let cached: TrustScenarios | undefined;
export function scenarios(): TrustScenarios {
  return (cached ??= makeTrustScenarios(TEST_NOW, loadFixtureKeys(KEYS_DIR)));
}

export function list(bytes: Buffer, name = 'ITLFile.tlv'): TrustList {
  return decodeTrustList(bytes, name);
}

export function held(bytes: Buffer, name = 'ITLFile.tlv'): HeldList {
  return { list: list(bytes, name), name };
}

export function download(bytes: Buffer, name = 'ITLFile.tlv'): Download {
  return trustListDownload(bytes, list(bytes, name), name);
}

export function signedDownload(bytes: Buffer, name = 'SEP001122334455.cnf.xml.sgn', signerCertificate?: Buffer): Download {
  return signedFileDownload(bytes, decodeSignedFile(bytes, name), name, signerCertificate);
}
