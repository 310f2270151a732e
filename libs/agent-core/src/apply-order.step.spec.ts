import type { KubeObject } from '@flotilla/cluster-client';
import { orderForApply } from './apply-order.step.js';

const o = (apiVersion: string, kind: string, name: string): KubeObject => ({ apiVersion, kind, metadata: { name } });

describe('orderForApply', () => {
  it('puts CRDs and Namespaces first and custom resources after their kinds', () => {
    const waves = orderForApply([
      o('example.com/v1', 'Gadget', 'g'),
      o('apps/v1', 'Deployment', 'web'),
      o('v1', 'Service', 'web'),
      o('v1', 'Namespace', 'shop'),
      o('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'gadgets.example.com'),
      o('v1', 'ConfigMap', 'cfg'),
    ]);
    expect(waves.first.map((x) => x.kind)).toEqual(['CustomResourceDefinition', 'Namespace']);
    expect(waves.rest.map((x) => x.kind)).toEqual(['ConfigMap', 'Service', 'Deployment', 'Gadget']);
  });
});
