/** CLI-META: a CLI given no URL and token finds the daemon through the Glue metadata file. */
import { expectStarted, fail } from '../judge.js';
import type { ClientCase } from '../types.js';
import { judgeHello } from './common.js';

export const metaCases: ClientCase[] = [
  {
    id: 'CLI-META-001',
    area: 'CLI-META',
    level: 'SHOULD',
    rule: 'Given no URL and token, the client reads base_url and token from the metadata file ({metadata}, also $XDG_CONFIG_HOME/glue/daemon.json).',
    reference: 'ADR-0010 §3 (local discovery); openapi securitySchemes.bearerAuth; 002-metadata-file.txt',
    metadataOnly: true,
    judge(j) {
      const start = expectStarted(j);
      if (start.headers['authorization'] !== `Bearer ${j.token}`) fail('the run start did not carry the token from the metadata file');
      judgeHello(j, 'a hello run found through the metadata file');
    },
  },
];
