/**
 * A Service Catalog launch of "Atlas PrivateLink (AWS)" from a team's portfolio, as CloudFormation runs it:
 * the product's synthesized template, its parameters filled in as the end user picks them from the
 * AllowedValues, the ServiceToken resolved from the pinned parameter, and every custom resource sent
 * through the local runner from a stack named as Service Catalog names it (`SC-…`), to a provider whose
 * bindings narrow the team's profile to the team's projects. Another team's project is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { parseProfileBindings } from '../../lambda/model/profile-bindings';
import { DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';
import { LocalRunner } from '../../local/runner/runner';
import { AtlasPrivateEndpointCatalog, AtlasPrivateEndpointProvider } from '../../lib';
import { type CfnTemplate, creationOrder, evaluate } from '../support/cfn-template';

const OTHER_TEAMS_PROJECT = '0123456789abcdef01234567';
const STACK_NAME = 'SC-000000000000-pp-abcdefghijklm';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:AtlasPrivateEndpointProvider-OnEvent';

/** The team's portfolio and the shared provider, as the README's "one portfolio per team" sets them up. */
function synthesize() {
  const app = new App();
  const catalogStack = new Stack(app, 'Catalogs');
  const catalog = new AtlasPrivateEndpointCatalog(catalogStack, 'TeamA', { profiles: ['team-a'], projectIds: [DEFAULT_PROJECT_ID] });
  const providerStack = new Stack(app, 'Provider');
  new AtlasPrivateEndpointProvider(providerStack, 'Provider', {
    profileBindings: { 'team-a': ['SC-*'], 'team-b': ['SC-*'] },
    profileProjects: { 'team-a': [DEFAULT_PROJECT_ID], 'team-b': [OTHER_TEAMS_PROJECT] },
  });
  const assembly = app.synth();
  const product = JSON.parse(readFileSync(join(assembly.directory, catalog.privateLinkTemplate.templateFile), 'utf8')) as CfnTemplate;
  const provider = assembly.getStackByName('Provider').template as CfnTemplate;
  const env = Object.values(provider.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!.Properties!.Environment as {
    Variables: Record<string, string>;
  };
  return { product, bindings: parseProfileBindings(env.Variables.ATLAS_PROFILE_BINDINGS) };
}

async function launch(
  product: CfnTemplate,
  bindings: ReturnType<typeof parseProfileBindings>,
  parameters: Record<string, string | string[]>,
) {
  const runner = await LocalRunner.start({ ...(bindings ? { bindings } : {}) });
  const made = new Map<string, { physicalResourceId: string; data: Record<string, string> }>();
  const results: { id: string; status: string; reason?: string }[] = [];
  try {
    for (const id of creationOrder(product)) {
      const resource = product.Resources[id];
      if (!resource.Type.startsWith('Custom::')) continue;
      const { ServiceToken, ...properties } = evaluate(resource.Properties, {
        parameters,
        pseudo: { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000', 'AWS::Partition': 'aws', 'AWS::StackName': STACK_NAME },
        // CloudFormation's own resources: the interface endpoint and its group, with stand-in ids.
        ref: (r) =>
          made.get(r)?.physicalResourceId ??
          (product.Resources[r].Type === 'AWS::EC2::VPCEndpoint' ? 'vpce-0a1b2c3d4e5f60718' : 'sg-0123456789abcdef0'),
        attribute: (r, name) => made.get(r)?.data[name] ?? 'sg-0123456789abcdef0',
        dynamic: (ref) => {
          expect(ref).toBe('{{resolve:ssm:/atlas/private-endpoint/service-token:1}}');
          return FUNCTION_ARN;
        },
      }) as Record<string, unknown>;
      expect(ServiceToken).toBe(FUNCTION_ARN);
      const { create } = await runner.create(properties, { stackName: STACK_NAME, logicalResourceId: id, resourceType: resource.Type });
      results.push({ id, status: create.status, ...(create.reason ? { reason: create.reason } : {}) });
      if (create.status !== 'SUCCESS') break;
      made.set(id, { physicalResourceId: create.physicalResourceId, data: create.data ?? {} });
    }
  } finally {
    await runner.stop();
  }
  return results;
}

describe('Service Catalog: launching "Atlas PrivateLink (AWS)" from a team portfolio', () => {
  const { product, bindings } = synthesize();
  const parameters = { VpcId: 'vpc-0123456789abcdef0', SubnetIds: ['subnet-0123456789abcdef0'], ClientCidr: '10.0.0.0/16' };

  it("offers only the team's profile and project, and the launch with them creates the service and the registration", async () => {
    expect(product.Parameters!.Profile.AllowedValues).toEqual(['team-a']);
    expect(product.Parameters!.ProjectId.AllowedValues).toEqual([DEFAULT_PROJECT_ID]);
    const results = await launch(product, bindings, { ...parameters, ProjectId: DEFAULT_PROJECT_ID, Profile: 'team-a' });
    expect(results.map((r) => r.status)).toEqual(['SUCCESS', 'SUCCESS']);
  }, 120_000);

  it("refuses the team's profile for another team's project, before reading the secret (a template that skipped the AllowedValues)", async () => {
    const results = await launch(product, bindings, { ...parameters, ProjectId: OTHER_TEAMS_PROJECT, Profile: 'team-a' });
    expect(results).toEqual([
      {
        id: expect.any(String),
        status: 'FAILED',
        reason: expect.stringMatching(`may not be used for Atlas project ${OTHER_TEAMS_PROJECT}`),
      },
    ]);
  }, 120_000);
});
