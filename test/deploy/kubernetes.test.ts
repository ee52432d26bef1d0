import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildCli, runCli } from '../support/cli.js';

/**
 * No cluster runs here, so what can be checked is checked: the manifests
 * parse as Kubernetes reads them (YAML 1.1), every lstmp command in them names
 * flags the CLI really has, every $(VAR) is defined, and the pieces agree
 * with one another (shard count, worker count, addresses, volumes, paths).
 */

const root = join(import.meta.dirname, '../..');
const dir = join(root, 'deploy/kubernetes');

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; secret?: { secretName: string; defaultMode?: number }; persistentVolumeClaim?: { claimName: string }; emptyDir?: object }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number };
}
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown> & { template?: { spec: PodSpec }; volumeClaimTemplates?: { metadata: { name: string } }[] };
}

const resources: Resource[] = [];
const helps = new Map<string, string>();

beforeAll(async () => {
  buildCli();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'), { version: '1.1' })) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
      resources.push(document.toJS() as Resource);
    }
  }
  for (const command of ['ps', 'worker', 'init', 'synth']) helps.set(command, (await runCli([command, '--help'])).stdout);
}, 120_000);

const named = (kind: string, name: string) => {
  const found = resources.find((r) => r.kind === kind && r.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const podsOf = () => resources.filter((r) => r.spec.template).map((r) => ({ resource: r, pod: r.spec.template!.spec }));
const lstmpContainers = () => podsOf().flatMap(({ resource, pod }) => [...(pod.initContainers ?? []), ...pod.containers].filter((c) => !c.command).map((container) => ({ resource, pod, container })));
const flagValue = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('deploy/kubernetes', () => {
  it('parses: every document a resource with apiVersion, kind and name', () => {
    expect(resources.map((r) => `${r.kind}/${r.metadata.name}`).sort()).toEqual(
      ['Job/lstmp-synth', 'Job/lstmp-workers', 'PersistentVolumeClaim/lstmp-corpus', 'PersistentVolumeClaim/lstmp-results', 'Service/lstmp-shards', 'StatefulSet/lstmp-shard'].sort(),
    );
    for (const r of resources) expect(r.apiVersion).toMatch(/^(v1|apps\/v1|batch\/v1)$/);
  });

  it('runs lstmp commands with flags the CLI has (checked against its --help), every $(VAR) defined in the container', () => {
    const containers = lstmpContainers();
    expect(containers.map(({ container }) => container.args?.[0]).sort()).toEqual(['init', 'ps', 'synth', 'worker']);
    for (const { container } of containers) {
      const [command, ...args] = container.args ?? [];
      const help = helps.get(command) as string;
      for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(help, `${container.name}: lstmp ${command} ${flag}`).toMatch(new RegExp(`^\\s+(-\\w, )?${flag}\\b`, 'm'));
      for (const [, variable] of args.join(' ').matchAll(/\$\((\w+)\)/g)) expect(container.env?.map((e) => e.name), `${container.name}: $(${variable})`).toContain(variable);
    }
  });

  it('shards: a StatefulSet behind a headless Service, shard $(index)/replicas, its state on a volume of its own', () => {
    const service = named('Service', 'lstmp-shards');
    const shards = named('StatefulSet', 'lstmp-shard');
    expect(service.spec.clusterIP).toBe('None');
    expect(shards.spec.serviceName).toBe('lstmp-shards');
    const args = shards.spec.template!.spec.containers[0].args as string[];
    expect(flagValue(args, '--shard')).toBe(`$(SHARD_INDEX)/${shards.spec.replicas}`);
    expect(flagValue(args, '--listen')).toBe('0.0.0.0:7070');
    expect(shards.spec.volumeClaimTemplates?.map((t) => t.metadata.name)).toContain('state');
    expect(flagValue(args, '--state')).toBe('/state');
  });

  it('workers: an Indexed Job, worker $(index)/completions, reaching every shard by its stable name', () => {
    const shards = named('StatefulSet', 'lstmp-shard');
    const workers = named('Job', 'lstmp-workers');
    expect(workers.spec.completionMode).toBe('Indexed');
    const container = workers.spec.template!.spec.containers[0];
    const args = container.args as string[];
    expect(flagValue(args, '--worker')).toBe(`$(WORKER_INDEX)/${workers.spec.completions}`);
    const addresses = Array.from({ length: shards.spec.replicas as number }, (_, i) => `lstmp-shard-${i}.lstmp-shards:7070`);
    expect(flagValue(args, '--ps')).toBe(addresses.join(','));
    const synth = named('Job', 'lstmp-synth').spec.template!.spec.containers[0].args as string[];
    expect(flagValue(args, '--corpus')).toBe(flagValue(synth, '--out'));
  });

  it('secrets: from Secrets mounted as files, the shared secret copied for the pod’s non-root user alone; TLS on both sides', () => {
    for (const name of ['lstmp-shard', 'lstmp-workers']) {
      const pod = resources.find((r) => r.metadata.name === name)!.spec.template!.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
      const secret = pod.volumes?.find((v) => v.name === 'secret');
      expect(secret?.secret).toEqual({ secretName: 'lstmp-secret', defaultMode: 0o440 });
      expect(pod.volumes?.find((v) => v.name === 'tls')?.secret?.secretName).toBe('lstmp-tls');
      const copy = pod.initContainers?.find((c) => c.name === 'secret');
      expect(copy?.command).toEqual(['install', '-m', '0400', '/etc/lstmp/secret/secret', '/run/lstmp/secret']);
      const args = pod.containers[0].args as string[];
      expect(flagValue(args, '--secret-file')).toBe('/run/lstmp/secret');
      expect(pod.containers[0].volumeMounts?.find((m) => m.name === 'run')?.mountPath).toBe('/run/lstmp');
    }
    const ps = named('StatefulSet', 'lstmp-shard').spec.template!.spec.containers[0].args as string[];
    const worker = named('Job', 'lstmp-workers').spec.template!.spec.containers[0].args as string[];
    expect([flagValue(ps, '--tls-cert'), flagValue(ps, '--tls-key'), flagValue(worker, '--tls-ca')]).toEqual(['/etc/lstmp/tls/tls.crt', '/etc/lstmp/tls/tls.key', '/etc/lstmp/tls/ca.crt']);
  });

  it('mounts every volume a container names, and names every claim the manifests make', () => {
    const claims = resources.filter((r) => r.kind === 'PersistentVolumeClaim').map((r) => r.metadata.name);
    for (const { resource, pod } of podsOf()) {
      const volumes = new Set([...(pod.volumes ?? []).map((v) => v.name), ...(resource.spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name)]);
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) for (const mount of container.volumeMounts ?? []) expect(volumes, `${resource.metadata.name}/${container.name}`).toContain(mount.name);
      for (const volume of pod.volumes ?? []) if (volume.persistentVolumeClaim) expect(claims).toContain(volume.persistentVolumeClaim.claimName);
    }
  });

  it('the Containerfile copies what exists and runs the CLI the build makes', () => {
    const file = readFileSync(join(root, 'deploy/Containerfile'), 'utf8');
    for (const [, sources] of file.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) for (const source of sources.split(' ')) expect(existsSync(join(root, source)), source).toBe(true);
    expect(file).toMatch(/^ENTRYPOINT \["node", "\/app\/dist\/cli\/main.js"\]$/m);
    expect(existsSync(join(root, 'dist/cli/main.js'))).toBe(true);
    expect(file).toMatch(/^RUN npm ci/m);
  });
});
