/**
 * cdk-nag's AWS Solutions checks over every stack of the app (the provider, the example, the Service Catalog
 * portfolio and its product templates), built as `cdk synth` builds it (cdk.json's context), in the
 * commercial, GovCloud and China partitions; and no ARN that names a partition or region of its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from '../../bin/nag';
import { addStacks } from '../../bin/stacks';

const CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

function build(env: Environment | undefined, acknowledged: boolean) {
  const app = new App({ context: CONTEXT });
  const stacks = addStacks(app, env);
  if (acknowledged) acknowledgeNagFindings(stacks);
  const assembly = app.synth();
  const findings = new AwsSolutionsChecks()
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`))
    .sort();
  const templates = assembly.stacks.map((s) => ({ name: s.stackName, text: JSON.stringify(s.template) }));
  return { app, findings, templates };
}

const ENVIRONMENTS: [string, Environment | undefined][] = [
  ['environment-agnostic', undefined],
  ['aws-us-gov (us-gov-west-1)', { account: '123456789012', region: 'us-gov-west-1' }],
  ['aws-cn (cn-north-1)', { account: '123456789012', region: 'cn-north-1' }],
];

describe.each(ENVIRONMENTS)('every stack of the app, %s', (_name, env) => {
  const built = build(env, true);

  it('has no cdk-nag finding that is not acknowledged', () => {
    expect(built.findings).toEqual([]);
  });

  it("has ARNs in the stack's own partition, and no region but its own", () => {
    expect(built.templates.map((t) => t.name).sort()).toEqual([
      'AtlasPrivateEndpointCatalog',
      'AtlasPrivateEndpointProvider',
      'AtlasPrivateLinkExample',
    ]);
    const partition = env?.region?.startsWith('us-gov-') ? 'aws-us-gov' : env?.region?.startsWith('cn-') ? 'aws-cn' : undefined;
    for (const t of built.templates) {
      const literalArns = [...t.text.matchAll(/arn:(aws[a-z-]*):/g)].map((m) => m[1]);
      // Environment-agnostic stacks name no partition at all (they use AWS::Partition); others only their own.
      expect([t.name, [...new Set(literalArns)]]).toEqual([t.name, partition && literalArns.length ? [partition] : []]);
      const regions = [...t.text.matchAll(/\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d\b/g)].map((m) => m[0]);
      expect([t.name, [...new Set(regions)]]).toEqual([t.name, env?.region && regions.length ? [env.region] : []]);
    }
  });
});

it('acknowledges only findings that really occur: each acknowledgement is needed', () => {
  const bare = build(undefined, false).findings.map((f) => f.replace(/^\w+ /, ''));
  const app = new App({ context: CONTEXT });
  acknowledgeNagFindings(addStacks(app));
  const acknowledged = app.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((m) => Object.keys(m.data as object).map((id) => `${id.replace(/^annotation::/i, '')} at ${c.node.path}`)),
    )
    .flat()
    // aws-cdk-lib acknowledges some findings of its own CloudFormation checks; this project's are cdk-nag's.
    .filter((a) => a.startsWith('AwsSolutions-'))
    .sort();
  expect(acknowledged.length).toBeGreaterThan(0);
  // Every acknowledgement names a finding on that construct (or on its L1 resource).
  const unused = acknowledged.filter((a) => {
    const [id, path] = a.split(' at ');
    return !bare.some((f) => f === `${id} at ${path}` || f.startsWith(`${id} at ${path}/`));
  });
  expect(unused).toEqual([]);
  expect(acknowledged).toHaveLength(12);
  // The README's "Checks" counts them as the code makes them.
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const said = /\b(\w+) findings are acknowledged in `bin\/nag\.ts`/.exec(readme.replace(/\s+/g, ' '))?.[1];
  const WORDS = [
    'zero',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
    'thirteen',
    'fourteen',
  ];
  expect(said).toBeDefined();
  expect(WORDS.indexOf(said!.toLowerCase()) >= 0 ? WORDS.indexOf(said!.toLowerCase()) : Number(said)).toBe(acknowledged.length);
});
