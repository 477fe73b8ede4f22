// The endpoint control plane through the real server and real model servers (user images from
// test/fixtures/endpoints): endpoint configurations and endpoints created, described, listed,
// updated (weights and capacities, then another configuration) and deleted with the JS SDK; every
// refusal with SageMaker's code and message; an endpoint whose model cannot serve ends Failed with a
// reason; boto3's endpoint_in_service / endpoint_deleted waiters; a server restart brings an
// InService endpoint back.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  waitUntilEndpointDeleted,
  type ProductionVariant,
} from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { clientConfig } from '../helpers/server-process.js';
import { sdkErrorOf } from '../helpers/sdk-errors.js';
import { accountId, addEndpointImage, boto3, deploy, endpointsEnv, invoke, role, waitInService, type EndpointsEnv } from './endpoints-harness.js';
import { connect } from './training-harness.js';

/** Restarts the server on its data directory and returns clients for the new process (dispose() removes everything). */
async function restart(env: EndpointsEnv): Promise<EndpointsEnv> {
  await env.close();
  env.runtime.destroy();
  const server = await env.server.restart();
  const clients = await connect(server, env.bucket);
  const runtime = new SageMakerRuntimeClient({ ...clientConfig(server), maxAttempts: 1 });
  return {
    ...clients,
    runtime,
    work: env.work,
    async dispose() {
      runtime.destroy();
      await clients.close();
      await env.dispose();
      await server.dispose();
    },
  };
}

const arn = (type: string, name: string): string => `arn:aws:sagemaker:us-east-1:${accountId}:${type}/${name.toLowerCase()}`;
const variant = (modelName: string, extra: Partial<ProductionVariant> = {}): ProductionVariant => ({
  VariantName: 'AllTraffic',
  ModelName: modelName,
  InitialInstanceCount: 1,
  InstanceType: 'ml.m5.large',
  ...extra,
});

describe('endpoint control plane', { concurrency: true }, () => {
  let env: EndpointsEnv;
  const images: Record<string, string> = {};

  before(async () => {
    env = await endpointsEnv('endpoints-control');
    for (const fixture of ['echo', 'gated', 'exits']) images[fixture] = await addEndpointImage(env.server, `cp-${fixture}`, fixture);
  });
  after(async () => {
    await env?.dispose();
  });

  const model = (name: string, image: string, environment: Record<string, string> = {}): Promise<unknown> =>
    env.sagemaker.send(new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: image, Environment: environment }, ExecutionRoleArn: role }));

  it('creates, describes, lists, updates and deletes endpoint configurations and endpoints (JS SDK)', async () => {
    const ready = path.join(env.work, 'cp-next-ready');
    await model('cp-m1', images['echo'] as string, { REPLY: 'v1' });
    await model('cp-m2', images['gated'] as string, { READY_FILE: ready });
    await env.sagemaker.send(
      new CreateEndpointConfigCommand({ EndpointConfigName: 'cp-c1', ProductionVariants: [variant('cp-m1')], Tags: [{ Key: 'team', Value: 'ml' }] }),
    );
    await env.sagemaker.send(
      new CreateEndpointConfigCommand({ EndpointConfigName: 'cp-c2', ProductionVariants: [variant('cp-m2', { InitialVariantWeight: 2 })] }),
    );
    const config = await env.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'CP-C1' }));
    assert.equal(config.EndpointConfigName, 'cp-c1');
    assert.equal(config.EndpointConfigArn, arn('endpoint-config', 'cp-c1'));
    assert.ok(config.CreationTime instanceof Date);
    assert.deepEqual(config.ProductionVariants, [{ ...variant('cp-m1'), InitialVariantWeight: 1 }]);
    assert.deepEqual((await env.sagemaker.send(new ListTagsCommand({ ResourceArn: config.EndpointConfigArn }))).Tags, [{ Key: 'team', Value: 'ml' }]);

    const configNames: string[] = [];
    let token: string | undefined;
    do {
      const page = await env.sagemaker.send(
        new ListEndpointConfigsCommand({ NameContains: 'cp-c', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 1, NextToken: token }),
      );
      configNames.push(...(page.EndpointConfigs ?? []).map((c) => c.EndpointConfigName as string));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(configNames, ['cp-c1', 'cp-c2']);

    const created = await env.sagemaker.send(
      new CreateEndpointCommand({ EndpointName: 'cp-ep', EndpointConfigName: 'cp-c1', Tags: [{ Key: 'owner', Value: 'me' }] }),
    );
    assert.equal(created.EndpointArn, arn('endpoint', 'cp-ep'));
    const described = await waitInService(env, 'cp-ep');
    assert.equal(described.EndpointStatus, 'InService', described.FailureReason);
    assert.equal(described.EndpointConfigName, 'cp-c1');
    assert.equal(described.FailureReason, undefined);
    assert.ok(described.LastModifiedTime instanceof Date && described.CreationTime instanceof Date);
    assert.ok((described.LastModifiedTime as Date) >= (described.CreationTime as Date));
    const [summary] = described.ProductionVariants ?? [];
    assert.deepEqual(
      { ...summary, DeployedImages: summary?.DeployedImages?.map((i) => ({ ...i, ResolutionTime: i.ResolutionTime instanceof Date })) },
      {
        VariantName: 'AllTraffic',
        DeployedImages: [{ SpecifiedImage: images['echo'], ResolvedImage: images['echo'], ResolutionTime: true }],
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: 1,
        DesiredInstanceCount: 1,
      },
    );
    assert.equal(JSON.parse((await invoke(env, { EndpointName: 'cp-ep', Body: 'x' })).body).reply, 'v1');
    assert.deepEqual((await env.sagemaker.send(new ListTagsCommand({ ResourceArn: created.EndpointArn }))).Tags, [{ Key: 'owner', Value: 'me' }]);
    const listed = await env.sagemaker.send(new ListEndpointsCommand({ NameContains: 'cp-ep', StatusEquals: 'InService' }));
    assert.deepEqual(
      listed.Endpoints?.map((e) => [e.EndpointName, e.EndpointArn, e.EndpointStatus]),
      [['cp-ep', arn('endpoint', 'cp-ep'), 'InService']],
    );
    assert.equal(listed.NextToken, undefined);

    // Scale out: Updating until the second instance answers /ping, then both current.
    await env.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'cp-ep',
        DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }],
      }),
    );
    const scaled = await waitInService(env, 'cp-ep');
    assert.equal(scaled.EndpointStatus, 'InService', scaled.FailureReason);
    assert.deepEqual(
      scaled.ProductionVariants?.map((v) => [v.CurrentInstanceCount, v.DesiredInstanceCount]),
      [[2, 2]],
    );

    // Another configuration: Updating (its model is not ready yet) while the old one still serves.
    await env.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'cp-ep', EndpointConfigName: 'cp-c2' }));
    const updating = await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'cp-ep' }));
    assert.equal(updating.EndpointStatus, 'Updating');
    assert.equal(updating.EndpointConfigName, 'cp-c1');
    assert.equal(updating.PendingDeploymentSummary?.EndpointConfigName, 'cp-c2');
    assert.deepEqual(
      updating.PendingDeploymentSummary?.ProductionVariants?.map((v) => [v.VariantName, v.DesiredWeight, v.DesiredInstanceCount, v.InstanceType]),
      [['AllTraffic', 2, 1, 'ml.m5.large']],
    );
    assert.equal(JSON.parse((await invoke(env, { EndpointName: 'cp-ep', Body: 'x' })).body).reply, 'v1');
    assert.deepEqual(await sdkErrorOf(env.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'cp-ep' }))), {
      name: 'ValidationException',
      message: `Cannot update in-progress endpoint "${arn('endpoint', 'cp-ep')}".`,
      status: 400,
    });
    writeFileSync(ready, '');
    const updated = await waitInService(env, 'cp-ep');
    assert.equal(updated.EndpointStatus, 'InService', updated.FailureReason);
    assert.equal(updated.EndpointConfigName, 'cp-c2');
    assert.equal(updated.PendingDeploymentSummary, undefined);
    assert.deepEqual(
      updated.ProductionVariants?.map((v) => [v.DeployedImages?.[0]?.SpecifiedImage, v.CurrentWeight, v.CurrentInstanceCount]),
      [[images['gated'], 2, 1]],
    );
    assert.equal((await invoke(env, { EndpointName: 'cp-ep', Body: 'x' })).body, 'ready');

    // Deleting the configuration and the model in use is allowed, as in SageMaker; the endpoint keeps serving.
    await env.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'cp-c2' }));
    await env.sagemaker.send(new DeleteModelCommand({ ModelName: 'cp-m2' }));
    assert.equal((await invoke(env, { EndpointName: 'cp-ep', Body: 'x' })).body, 'ready');

    await env.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'cp-ep' }));
    await waitUntilEndpointDeleted({ client: env.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'cp-ep' });
    assert.deepEqual(await sdkErrorOf(env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'cp-ep' }))), {
      name: 'ValidationException',
      message: `Could not find endpoint "${arn('endpoint', 'cp-ep')}".`,
      status: 400,
    });
    assert.deepEqual((await env.sagemaker.send(new ListEndpointsCommand({ NameContains: 'cp-ep' }))).Endpoints, []);
  });

  it("refuses bad requests with SageMaker's codes and messages", async () => {
    const refused = async (call: Promise<unknown>): Promise<string> => {
      const error = await sdkErrorOf(call);
      assert.equal(error.name, 'ValidationException', error.message);
      assert.equal(error.status, 400);
      return error.message;
    };
    await model('v-m', images['echo'] as string);
    await env.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'v-mme',
        PrimaryContainer: { Image: images['echo'], Mode: 'MultiModel', ModelDataUrl: `s3://${env.bucket}/mme/` },
        ExecutionRoleArn: role,
      }),
    );
    await env.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'v-c', ProductionVariants: [variant('v-m')] }));
    assert.equal(
      await refused(env.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'V-C', ProductionVariants: [variant('v-m')] }))),
      `Cannot create already existing endpoint configuration "${arn('endpoint-config', 'v-c')}".`,
    );
    assert.equal(
      await refused(env.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'v-x', ProductionVariants: [variant('ghost')] }))),
      `Could not find model "${arn('model', 'ghost')}".`,
    );
    assert.equal(
      await refused(env.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'v-x', ProductionVariants: [variant('v-m'), variant('v-m')] }))),
      'The variant name "AllTraffic" was non-unique within the request.',
    );
    assert.equal(
      await refused(
        env.sagemaker.send(
          new CreateEndpointConfigCommand({ EndpointConfigName: 'v-x', ProductionVariants: [variant('v-mme', { InstanceType: 'ml.g5.xlarge' })] }),
        ),
      ),
      'MultiModel mode is not supported for instance type ml.g5.xlarge.',
    );
    assert.equal(
      await refused(
        env.sagemaker.send(
          new CreateEndpointConfigCommand({ EndpointConfigName: 'v-x', ProductionVariants: [{ VariantName: 'v', ModelName: 'v-m', InitialInstanceCount: 1 }] }),
        ),
      ),
      "1 validation error detected: Value null at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must not be null",
    );
    assert.match(
      await refused(
        env.sagemaker.send(
          new CreateEndpointConfigCommand({ EndpointConfigName: 'v-x', ProductionVariants: [variant('v-m', { InstanceType: 'ml.x9.huge' as 'ml.m5.large' })] }),
        ),
      ),
      /^1 validation error detected: Value 'ml\.x9\.huge' at 'productionVariants\.1\.member\.instanceType' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
    assert.equal(
      await refused(env.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'v-x' }))),
      `Could not find endpoint configuration "${arn('endpoint-config', 'v-x')}".`,
    );
    assert.equal(
      await refused(env.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'v-x' }))),
      `Could not find endpoint configuration "${arn('endpoint-config', 'v-x')}".`,
    );
    assert.equal(
      await refused(env.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'v-ep', EndpointConfigName: 'v-x' }))),
      `Could not find endpoint configuration "${arn('endpoint-config', 'v-x')}".`,
    );
    for (const call of [
      env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'v-ghost' })),
      env.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'v-ghost' })),
      env.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'v-ghost', EndpointConfigName: 'v-c' })),
      env.sagemaker.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: 'v-ghost',
          DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredWeight: 1 }],
        }),
      ),
    ]) {
      assert.equal(await refused(call), `Could not find endpoint "${arn('endpoint', 'v-ghost')}".`);
    }

    // An endpoint still Creating (its model server's /ping answers 503) cannot be updated or deleted.
    const ready = path.join(env.work, 'v-gated-ready');
    await model('v-gated', images['gated'] as string, { READY_FILE: ready });
    await env.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'v-gated', ProductionVariants: [variant('v-gated')] }));
    const deploymentConfig = { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: 0 } } };
    await env.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'v-ep', EndpointConfigName: 'v-gated', DeploymentConfig: deploymentConfig }));
    assert.equal(
      await refused(env.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'V-EP', EndpointConfigName: 'v-c' }))),
      `Cannot create already existing endpoint "${arn('endpoint', 'v-ep')}".`,
    );
    const creating = await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'v-ep' }));
    assert.equal(creating.EndpointStatus, 'Creating');
    assert.deepEqual(creating.LastDeploymentConfig, deploymentConfig);
    assert.equal(creating.ProductionVariants, undefined);
    const inProgress = `Cannot update in-progress endpoint "${arn('endpoint', 'v-ep')}".`;
    assert.equal(await refused(env.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'v-ep', EndpointConfigName: 'v-c' }))), inProgress);
    assert.equal(await refused(env.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'v-ep' }))), inProgress);
    assert.equal(
      await refused(
        env.sagemaker.send(
          new UpdateEndpointWeightsAndCapacitiesCommand({
            EndpointName: 'v-ep',
            DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredWeight: 1 }],
          }),
        ),
      ),
      inProgress,
    );
    writeFileSync(ready, '');
    assert.equal((await waitInService(env, 'v-ep')).EndpointStatus, 'InService');
    assert.equal(
      await refused(
        env.sagemaker.send(
          new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'v-ep', DesiredWeightsAndCapacities: [{ VariantName: 'Blue', DesiredWeight: 1 }] }),
        ),
      ),
      'The variant name(s) "Blue" is/are not present within endpoint configuration "v-gated".',
    );
    await env.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'v-ep' }));
    await waitUntilEndpointDeleted({ client: env.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'v-ep' });
  });

  it('an endpoint whose model server cannot start ends Failed with a FailureReason; it can only be deleted (boto3 waiters)', async () => {
    await model('f-m', images['exits'] as string);
    await env.sagemaker.send(
      new CreateEndpointConfigCommand({ EndpointConfigName: 'f-c', ProductionVariants: [variant('f-m', { ContainerStartupHealthCheckTimeoutInSeconds: 60 })] }),
    );
    await env.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'f-ep', EndpointConfigName: 'f-c' }));
    const result = await boto3<{ waiter: string; status: string; reason: string; update: [string, string]; gone: [string, string] }>(
      env,
      `
from botocore.exceptions import ClientError, WaiterError
sm = boto3.client('sagemaker')
try:
    sm.get_waiter('endpoint_in_service').wait(EndpointName='f-ep', WaiterConfig={'Delay': 1, 'MaxAttempts': 120})
    waiter = 'in service'
except WaiterError as e:
    waiter = str(e)
d = sm.describe_endpoint(EndpointName='f-ep')
try:
    sm.update_endpoint(EndpointName='f-ep', EndpointConfigName='f-c')
    update = ['', '']
except ClientError as e:
    update = [e.response['Error']['Code'], e.response['Error']['Message']]
sm.delete_endpoint(EndpointName='f-ep')
sm.get_waiter('endpoint_deleted').wait(EndpointName='f-ep', WaiterConfig={'Delay': 1, 'MaxAttempts': 60})
try:
    sm.describe_endpoint(EndpointName='f-ep')
    gone = ['', '']
except ClientError as e:
    gone = [e.response['Error']['Code'], e.response['Error']['Message']]
print(json.dumps({'waiter': waiter, 'status': d['EndpointStatus'], 'reason': d.get('FailureReason', ''), 'update': update, 'gone': gone}))
`,
    );
    assert.match(result.waiter, /Waiter EndpointInService failed: Waiter encountered a terminal failure state/);
    assert.equal(result.status, 'Failed');
    assert.ok(result.reason.length > 0 && result.reason.length <= 1024, result.reason);
    assert.deepEqual(result.update, ['ValidationException', `Cannot update failed endpoint "${arn('endpoint', 'f-ep')}".`]);
    assert.deepEqual(result.gone, ['ValidationException', `Could not find endpoint "${arn('endpoint', 'f-ep')}".`]);
  });

  it('boto3: create, endpoint_in_service, describe, list and endpoint_deleted', async () => {
    const result = await boto3<{ status: string; variants: unknown; listed: string[]; config: string; gone: string }>(
      env,
      `
from botocore.exceptions import ClientError
sm = boto3.client('sagemaker')
sm.create_model(ModelName='b-m', PrimaryContainer={'Image': '${images['echo']}', 'Environment': {'REPLY': 'boto3'}}, ExecutionRoleArn='${role}')
sm.create_endpoint_config(EndpointConfigName='b-c', ProductionVariants=[{'VariantName': 'Blue', 'ModelName': 'b-m', 'InitialInstanceCount': 1, 'InstanceType': 'ml.t2.medium', 'InitialVariantWeight': 0.5}])
sm.create_endpoint(EndpointName='b-ep', EndpointConfigName='b-c')
sm.get_waiter('endpoint_in_service').wait(EndpointName='b-ep', WaiterConfig={'Delay': 1, 'MaxAttempts': 120})
d = sm.describe_endpoint(EndpointName='b-ep')
variants = [[v['VariantName'], v['CurrentWeight'], v['DesiredWeight'], v['CurrentInstanceCount'], v['DeployedImages'][0]['SpecifiedImage']] for v in d['ProductionVariants']]
listed = [e['EndpointName'] for p in sm.get_paginator('list_endpoints').paginate(NameContains='b-ep', PaginationConfig={'PageSize': 1}) for e in p['Endpoints']]
config = sm.describe_endpoint_config(EndpointConfigName='b-c')['ProductionVariants'][0]['InstanceType']
sm.delete_endpoint(EndpointName='b-ep')
sm.get_waiter('endpoint_deleted').wait(EndpointName='b-ep', WaiterConfig={'Delay': 1, 'MaxAttempts': 60})
try:
    sm.describe_endpoint(EndpointName='b-ep')
    gone = ''
except ClientError as e:
    gone = e.response['Error']['Code']
print(json.dumps({'status': d['EndpointStatus'], 'variants': variants, 'listed': listed, 'config': config, 'gone': gone}))
`,
    );
    assert.deepEqual(result, {
      status: 'InService',
      variants: [['Blue', 0.5, 0.5, 1, images['echo']]],
      listed: ['b-ep'],
      config: 'ml.t2.medium',
      gone: 'ValidationException',
    });
  });
});

describe('endpoints across a server restart', () => {
  let env: EndpointsEnv;

  before(async () => {
    env = await endpointsEnv('endpoints-restart');
  });
  after(async () => {
    await env?.dispose();
  });

  it('an InService endpoint is InService and answering again after the server restarts', async () => {
    const image = await addEndpointImage(env.server, 'r-echo', 'echo');
    const before = await deploy(env, 'r-ep', [{ variantName: 'AllTraffic', container: { Image: image, Environment: { REPLY: 'before' } } }]);
    const firstPid = (JSON.parse((await invoke(env, { EndpointName: 'r-ep', Body: 'x' })).body) as { pid: number }).pid;
    env = await restart(env);
    // SystemUpdating while its model servers come back; the waiter then sees InService.
    const after = await waitInService(env, 'r-ep');
    assert.equal(after.EndpointStatus, 'InService', after.FailureReason);
    assert.equal(after.EndpointConfigName, before.EndpointConfigName);
    assert.deepEqual(after.CreationTime, before.CreationTime);
    const answer = JSON.parse((await invoke(env, { EndpointName: 'r-ep', Body: 'x' })).body) as { reply: string; pid: number };
    assert.equal(answer.reply, 'before');
    assert.notEqual(answer.pid, firstPid);
    const boto = await boto3<{ status: string }>(
      env,
      `
sm = boto3.client('sagemaker')
sm.get_waiter('endpoint_in_service').wait(EndpointName='r-ep', WaiterConfig={'Delay': 1, 'MaxAttempts': 60})
print(json.dumps({'status': sm.describe_endpoint(EndpointName='r-ep')['EndpointStatus']}))
`,
    );
    assert.equal(boto.status, 'InService');
  });
});
