import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../../infra/local/bus/event-pattern.matcher.ts';

// Sample events from the EventBridge user guide and the event-ruler README.
const ec2Terminated = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const rulerEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>): Record<string, unknown> => ({ ...rulerEvent, detail });
const ruler = (patch: Record<string, unknown>): Record<string, unknown> =>
  withDetail({ ...rulerEvent.detail, ...patch });

const autoScalingLaunch = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

type Case = {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly matches: readonly unknown[];
  readonly rejects: readonly unknown[];
};

const cases: readonly Case[] = [
  // --- Creating event patterns / Event pattern syntax ---
  {
    name: 'event patterns: source, detail-type and detail.state ["terminated"]',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    matches: [ec2Terminated],
    rejects: [
      { ...ec2Terminated, detail: { state: 'running' } },
      { ...ec2Terminated, source: 'aws.ecs' },
      { ...ec2Terminated, detail: undefined },
    ],
  },
  {
    name: 'matching event values: "source": ["aws.ec2", "aws.fargate"]',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    matches: [{ source: 'aws.ec2' }, { source: 'aws.fargate' }],
    rejects: [{ source: 'aws.s3' }, { source: 'AWS.EC2' }, {}],
  },
  {
    name: 'value matching: nested "severity": {"score": [1]}, "count": [2] (Macie finding)',
    pattern: {
      source: ['aws.macie'],
      'detail-type': ['Macie Finding'],
      detail: { severity: { score: [1] }, count: [2] },
    },
    matches: [
      {
        source: 'aws.macie',
        'detail-type': 'Macie Finding',
        detail: { severity: { score: 1, description: 'Low' }, count: 2 },
      },
    ],
    rejects: [
      { source: 'aws.macie', 'detail-type': 'Macie Finding', detail: { severity: { score: 2 }, count: 2 } },
      { source: 'aws.macie', 'detail-type': 'Macie Finding', detail: { severity: 1, count: 2 } },
      { source: 'aws.macie', 'detail-type': 'Macie Finding', detail: { severity: { score: '1' }, count: 2 } },
    ],
  },
  {
    name: 'null values: "responseElements": [null]',
    pattern: { source: ['aws.autoscaling'], detail: { responseElements: [null] } },
    matches: [autoScalingLaunch],
    rejects: [
      { ...autoScalingLaunch, detail: { responseElements: '' } },
      { ...autoScalingLaunch, detail: { responseElements: 'null' } },
      { ...autoScalingLaunch, detail: {} },
    ],
  },
  {
    name: 'empty strings: "eventVersion": [""] (null and "" are not interchangeable)',
    pattern: { detail: { eventVersion: [''] } },
    matches: [autoScalingLaunch],
    rejects: [{ detail: { eventVersion: null } }, { detail: {} }, { detail: { eventVersion: ' ' } }],
  },
  {
    name: 'arrays: "resources" matches when the pattern and event arrays intersect',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    matches: [
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      { resources: 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f' },
    ],
    rejects: [{ resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] }, { resources: [] }],
  },
  {
    name: 'comparison operators, And: "Location": ["New York"], "Day": ["Monday"]',
    pattern: { Location: ['New York'], Day: ['Monday'] },
    matches: [{ Location: 'New York', Day: 'Monday' }],
    rejects: [{ Location: 'New York', Day: 'Tuesday' }, { Location: 'New York' }],
  },
  {
    name: 'comparison operators, Or: "PaymentType": ["Credit", "Debit"]',
    pattern: { PaymentType: ['Credit', 'Debit'] },
    matches: [{ PaymentType: 'Credit' }, { PaymentType: 'Debit' }],
    rejects: [{ PaymentType: 'Cash' }],
  },
  {
    name: 'comparison operators, Or (multiple fields): "$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    matches: [
      { Location: 'New York', Day: 'Friday' },
      { Location: 'Paris', Day: 'Monday' },
    ],
    rejects: [{ Location: 'Paris', Day: 'Friday' }, {}],
  },
  {
    name: 'comparison operators, Equals: "Name": ["Alice"] is case-sensitive',
    pattern: { Name: ['Alice'] },
    matches: [{ Name: 'Alice' }],
    rejects: [{ Name: 'alice' }, { Name: 'Alice ' }],
  },
  {
    name: 'exact match keeps JSON types: [true] and [5] do not match "true" and "5"',
    pattern: { flag: [true], count: [5] },
    matches: [
      { flag: true, count: 5 },
      { flag: true, count: 5.0 },
    ],
    rejects: [
      { flag: 'true', count: 5 },
      { flag: true, count: '5' },
      { flag: 1, count: 5 },
    ],
  },
  {
    name: 'exact number match compares numbers: [300] matches 3.0e2',
    pattern: { detail: { 'x-limit': [300] } },
    matches: [ruler({ 'x-limit': 3.0e2 }), ruler({ 'x-limit': 300.0 })],
    rejects: [ruler({ 'x-limit': 300.5 }), ruler({ 'x-limit': '300' })],
  },
  // --- Content filtering: prefix / suffix / equals-ignore-case ---
  {
    name: 'prefix: "time": [{"prefix": "2017-10-02"}]',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    matches: [rulerEvent, { time: '2017-10-02T18:43:48Z' }],
    rejects: [{ time: '2017-10-03T00:00:00Z' }, { time: 20171002 }, {}],
  },
  {
    name: 'prefix, begins with: "Region": [{"prefix": "us-"}]',
    pattern: { Region: [{ prefix: 'us-' }] },
    matches: [{ Region: 'us-east-1' }],
    rejects: [{ Region: 'eu-west-1' }, { Region: 'US-EAST-1' }],
  },
  {
    name: 'prefix matching while ignoring case: {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    matches: [
      { detail: { service: 'EventBridge' } },
      { detail: { service: 'EVENTBUS' } },
      { detail: { service: 'eventb' } },
    ],
    rejects: [{ detail: { service: 'Event Bridge' } }, { detail: { service: 'SNS' } }],
  },
  {
    name: 'suffix: "FileName": [{"suffix": ".png"}]',
    pattern: { FileName: [{ suffix: '.png' }] },
    matches: [{ FileName: 'image.png' }, { FileName: ['notes.txt', 'cat.png'] }],
    rejects: [{ FileName: 'image.PNG' }, { FileName: 'image.png.txt' }],
  },
  {
    name: 'suffix matching while ignoring case: {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    matches: [{ detail: { FileName: 'photo.PNG' } }, { detail: { FileName: 'photo.pNg' } }],
    rejects: [{ detail: { FileName: 'photo.jpg' } }],
  },
  {
    name: 'equals-ignore-case: "detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    matches: [ec2Terminated],
    rejects: [{ 'detail-type': 'EC2 Instance State-change Notifications' }],
  },
  {
    name: 'equals (ignore case): "Name": [{"equals-ignore-case": "alice"}]',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    matches: [{ Name: 'ALICE' }, { Name: 'Alice' }],
    rejects: [{ Name: 'Alicia' }, { Name: null }],
  },
  // --- Content filtering: anything-but ---
  {
    name: 'anything-but: "state": [{"anything-but": "initializing"}] (never matches a missing field)',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    matches: [rulerEvent, ruler({ state: 'stopped' })],
    rejects: [ruler({ state: 'initializing' }), withDetail({ 'c-count': 5 }), { detail: { state: {} } }],
  },
  {
    name: 'anything-but (event-ruler semantics): a present value of another type is "anything but" the string',
    pattern: {
      detail: { state: [{ 'anything-but': 'initializing' }], 'x-limit': [{ 'anything-but': [100] }] },
    },
    matches: [ruler({ state: 5, 'x-limit': '100' }), ruler({ state: null, 'x-limit': null })],
    rejects: [ruler({ state: 'initializing', 'x-limit': '100' }), ruler({ state: 5, 'x-limit': 100 })],
  },
  {
    name: 'anything-but number: "x-limit": [{"anything-but": 123}]',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    matches: [rulerEvent, ruler({ 'x-limit': 124 })],
    rejects: [ruler({ 'x-limit': 123 }), ruler({ 'x-limit': 1.23e2 })],
  },
  {
    name: 'anything-but list of strings: [{"anything-but": ["stopped", "overloaded"]}]',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    matches: [rulerEvent],
    rejects: [ruler({ state: 'stopped' }), ruler({ state: 'overloaded' })],
  },
  {
    name: 'anything-but list of numbers: [{"anything-but": [100, 200, 300]}]',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    matches: [rulerEvent, ruler({ 'x-limit': 150 })],
    rejects: [ruler({ 'x-limit': 200 }), ruler({ 'x-limit': 3.0e2 })],
  },
  {
    name: 'comparison operators, Not: "Weather": [{"anything-but": ["Raining"]}]',
    pattern: { Weather: [{ 'anything-but': ['Raining'] }] },
    matches: [{ Weather: 'Sunny' }, { Weather: ['Raining', 'Windy'] }],
    rejects: [{ Weather: 'Raining' }, { Weather: ['Raining'] }, {}],
  },
  {
    name: 'anything-but prefix: [{"anything-but": {"prefix": "init"}}]',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    matches: [rulerEvent],
    rejects: [ruler({ state: 'initializing' }), ruler({ state: 'init' })],
  },
  {
    name: 'anything-but begins with: "Region": [{"anything-but": {"prefix": "us-"}}]',
    pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] },
    matches: [{ Region: 'eu-west-1' }],
    rejects: [{ Region: 'us-east-1' }, {}],
  },
  {
    name: 'anything-but prefix list (event-ruler README): {"prefix": ["init", "error"]}',
    pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } },
    matches: [rulerEvent],
    rejects: [ruler({ state: 'initializing' }), ruler({ state: 'error-42' })],
  },
  {
    name: 'anything-but suffix: "FileName": [{"anything-but": {"suffix": ".png"}}]',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    matches: [{ FileName: 'notes.txt' }],
    rejects: [{ FileName: 'cat.png' }],
  },
  {
    name: 'anything-but suffix list (event-ruler README): {"suffix": ["1234", "6789"]}',
    pattern: { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] } },
    matches: [rulerEvent],
    rejects: [ruler({ 'instance-id': 'i-1234' }), ruler({ 'instance-id': 'i-6789' })],
  },
  {
    name: 'anything-but ignore case: [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    matches: [rulerEvent],
    rejects: [ruler({ state: 'STOPPED' }), ruler({ state: 'overloaded' })],
  },
  {
    name: 'anything-but using a wildcard: "FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    matches: [{ FilePath: '/usr/bin/node' }],
    rejects: [{ FilePath: '/usr/lib/node' }],
  },
  {
    name: 'anything-but wildcard list (event-ruler README): ["*/bin/*.jar", "*/bin/*.class"]',
    pattern: { detail: { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] } },
    matches: [ruler({ state: '/opt/lib/app.jar' })],
    rejects: [ruler({ state: '/opt/bin/app.jar' }), ruler({ state: '/opt/bin/App.class' })],
  },
  // --- Content filtering: numeric ---
  {
    name: 'numeric: "c-count": [">", 0, "<=", 5], "d-count": ["<", 10], "x-limit": ["=", 3.018e2]',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    matches: [rulerEvent, ruler({ 'c-count': 0.5, 'd-count': -3 })],
    rejects: [
      ruler({ 'c-count': 0 }),
      ruler({ 'c-count': 6 }),
      ruler({ 'd-count': 10 }),
      ruler({ 'x-limit': 301.81 }),
    ],
  },
  {
    name: 'numeric equals: "Price": [{"numeric": ["=", 100]}] (numbers only, never strings)',
    pattern: { Price: [{ numeric: ['=', 100] }] },
    matches: [{ Price: 100 }, { Price: 1e2 }, { Price: [5, 100] }],
    rejects: [{ Price: '100' }, { Price: 100.01 }, { Price: null }],
  },
  {
    name: 'numeric range: "Price": [{"numeric": [">", 10, "<=", 20]}]',
    pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
    matches: [{ Price: 20 }, { Price: 10.000001 }],
    rejects: [{ Price: 10 }, { Price: 20.5 }, { Price: '15' }],
  },
  {
    name: 'numeric: [">=", 1.5] and ["<", -1] boundaries',
    pattern: { a: [{ numeric: ['>=', 1.5] }], b: [{ numeric: ['<', -1] }] },
    matches: [{ a: 1.5, b: -1.0001 }],
    rejects: [
      { a: 1.4999, b: -2 },
      { a: 2, b: -1 },
    ],
  },
  // --- Content filtering: IP address ---
  {
    name: 'IP address matching: "sourceIPAddress": [{"cidr": "10.0.0.0/24"}]',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    matches: [{ detail: { sourceIPAddress: '10.0.0.0' } }, { detail: { sourceIPAddress: '10.0.0.255' } }],
    rejects: [
      { detail: { sourceIPAddress: '10.0.1.0' } },
      { detail: { sourceIPAddress: 'not-an-ip' } },
      { detail: { sourceIPAddress: '2001:db8::1' } },
    ],
  },
  {
    name: 'IP address matching (IPv6): [{"cidr": "2001:db8::/64"}]',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } },
    matches: [
      { detail: { sourceIPAddress: '2001:db8::1' } },
      { detail: { sourceIPAddress: '2001:DB8:0:0:ffff::9' } },
    ],
    rejects: [
      { detail: { sourceIPAddress: '2001:db8:0:1::1' } },
      { detail: { sourceIPAddress: '10.0.0.1' } },
    ],
  },
  {
    name: 'IP address: "source-ip": [{"cidr": "10.0.0.0/8"}] (event-ruler complex example)',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } },
    matches: [rulerEvent],
    rejects: [ruler({ 'source-ip': '11.0.0.33' }), ruler({ 'source-ip': 10 })],
  },
  // --- Content filtering: exists ---
  {
    name: 'exists: "state": [{"exists": true}] (leaf nodes only)',
    pattern: { detail: { state: [{ exists: true }] } },
    matches: [
      ec2Terminated,
      { detail: { state: '' } },
      { detail: { state: null } },
      { detail: { state: ['a'] } },
    ],
    rejects: [
      { 'detail-type': 'EC2 Instance State-change Notification', detail: { 'c-count': { c1: 100 } } },
      { detail: { state: { code: 16 } } },
      { detail: { state: [] } },
    ],
  },
  {
    name: 'exists false: "c-count": [{"exists": false}] also matches when c-count is not a leaf',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    matches: [
      { detail: { state: ['initializing', 'running'] } },
      { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } },
      { source: 'no-detail-at-all' },
    ],
    rejects: [rulerEvent, { detail: { 'c-count': null } }],
  },
  {
    name: 'null vs missing: [null] needs a null value and exists:false does not match a null value',
    pattern: { detail: { $or: [{ a: [null] }, { b: [{ exists: false }] }] } },
    matches: [{ detail: { a: null, b: 1 } }, { detail: { a: 1 } }],
    rejects: [{ detail: { b: null } }, { detail: { a: 'null', b: 0 } }],
  },
  {
    name: 'a list mixing a value and exists:false: ["pending", {"exists": false}]',
    pattern: { detail: { state: ['pending', { exists: false }] } },
    matches: [{ detail: {} }, { detail: { state: 'pending' } }],
    rejects: [{ detail: { state: 'running' } }],
  },
  // --- Content filtering: wildcard ---
  {
    name: 'wildcard: "EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    matches: [
      { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      { EventBusArn: 'arn:aws:events:us-east-1::event-bus/' },
    ],
    rejects: [
      { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' },
      { EventBusArn: 'arn:aws:events:us-east-1:123456789012:rule/default' },
    ],
  },
  {
    name: 'wildcard: "source": [{"wildcard": "Simple*Service"}] (whole value, case-sensitive)',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    matches: [{ source: 'SimpleQueueService' }, { source: 'SimpleService' }],
    rejects: [{ source: 'simpleQueueService' }, { source: 'SimpleQueueServices' }, { source: 5 }],
  },
  {
    name: 'wildcard escaping: "\\\\*" is a literal asterisk and "\\\\\\\\" a literal backslash',
    pattern: { key: [{ wildcard: 'a\\*b*\\\\' }] },
    matches: [{ key: 'a*b\\' }, { key: 'a*bcd\\' }],
    rejects: [{ key: 'axb\\' }, { key: 'a*bcd' }],
  },
  {
    name: 'wildcard: "*" matches zero or more characters, so "a*a" needs at least two',
    pattern: { key: [{ wildcard: 'a*a' }] },
    matches: [{ key: 'aa' }, { key: 'abca' }],
    rejects: [{ key: 'a' }, { key: 'ab' }],
  },
  // --- Complex examples ---
  {
    name: 'complex example with multiple matching (prefix, anything-but, numeric, cidr)',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    matches: [rulerEvent],
    rejects: [
      ruler({ state: 'initializing' }),
      ruler({ 'x-limit': 200 }),
      { ...rulerEvent, time: '2017-10-03T00:00:00Z' },
    ],
  },
  {
    name: 'complex example with $or matching: detail.$or of c-count, d-count, x-limit',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    matches: [
      withDetail({ 'c-count': 3 }),
      withDetail({ 'c-count': 50, 'd-count': 1 }),
      withDetail({ 'x-limit': 301.8 }),
    ],
    rejects: [withDetail({ 'c-count': 50, 'd-count': 50, 'x-limit': 1 }), withDetail({})],
  },
  {
    name: '$or (event-ruler README, normal Or): source && (metricName || namespace)',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    matches: [
      { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    ],
    rejects: [
      { source: 'aws.cloudwatch', metricName: 'Other' },
      { source: 'aws.ec2', metricName: 'CPUUtilization' },
    ],
  },
  {
    name: '$or (event-ruler README, parallel Or): top-level $or and detail.$or',
    pattern: {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    matches: [
      { metricName: 'CPUUtilization', detail: { source: 'aws.cloudwatch' } },
      { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    ],
    rejects: [
      { metricName: 'CPUUtilization', detail: { source: 'aws.ec2' } },
      { detail: { source: 'aws.cloudwatch' } },
    ],
  },
  {
    name: '$or (event-ruler README, nested Or and And): metricType && namespace && (metricId || spaceId)',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    matches: [
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
      { source: 'aws.cloudwatch', scope: 'Service' },
    ],
    rejects: [
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' },
      { source: 'aws.cloudwatch', metricType: 'MetricType', metricId: 1234 },
    ],
  },
  {
    name: 'duplicate key: the last reference is used ("location" prefix then anything-but)',
    pattern: JSON.parse('{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}'),
    matches: [{ detail: { location: 'eu-west' } }],
    rejects: [{ detail: { location: 'us-east' } }],
  },
  // --- Arrays of objects (event-ruler README, JSON Array Matching) ---
  {
    name: 'JSON array matching: {"employees": {"firstName": ["Anna"]}} on an array of objects',
    pattern: { employees: { firstName: ['Anna'] } },
    matches: [
      {
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
      },
      { employees: [[{ firstName: 'John' }], [{ firstName: 'Anna' }]] },
    ],
    rejects: [{ employees: [{ firstName: 'John' }, { firstName: 'Peter' }] }, { employees: [] }],
  },
  {
    name: 'JSON array matching is array-consistent: "Anna"/"Jones" come from different elements',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    matches: [{ employees: [{ firstName: 'Anna', lastName: 'Jones' }] }],
    rejects: [
      {
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      },
    ],
  },
  {
    name: 'exists false through an array of objects: no element may have the field',
    pattern: { items: { discount: [{ exists: false }] } },
    matches: [{ items: [{ sku: 'a' }, { sku: 'b' }] }, { items: [] }],
    rejects: [{ items: [{ sku: 'a' }, { sku: 'b', discount: 5 }] }],
  },
];

describe('Local bus: event pattern matcher', () => {
  it('has at least 40 documented cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  describe.each(cases)('$name', ({ pattern, matches, rejects }) => {
    it('is a valid pattern', () => {
      expect(() => validateEventPattern(pattern)).not.toThrow();
    });

    it.each(matches.map((event, i) => [i, event] as const))('matches event #%i', (_i, event) => {
      expect(matchesEventPattern(pattern, event)).toBe(true);
    });

    it.each(rejects.map((event, i) => [i, event] as const))('does not match event #%i', (_i, event) => {
      expect(matchesEventPattern(pattern, event)).toBe(false);
    });
  });

  it('does not match events that are not JSON objects', () => {
    const pattern = { detail: { state: [{ exists: false }] } };
    for (const event of [null, undefined, 'x', 5, [], [{}]])
      expect(matchesEventPattern(pattern, event)).toBe(false);
    expect(matchesEventPattern(pattern, {})).toBe(true);
  });

  it('compileEventPattern returns a reusable predicate', () => {
    const isRunning = compileEventPattern({ detail: { state: ['running'] } });
    expect(isRunning(rulerEvent)).toBe(true);
    expect(isRunning(ec2Terminated)).toBe(false);
  });

  describe('validation: patterns EventBridge rejects', () => {
    const tooManyOrs = Object.fromEntries(
      ['a', 'b', 'c', 'd'].map((key) => [key, { $or: [1, 2, 3, 4, 5, 6].map((n) => ({ [`f${n}`]: [n] })) }]),
    );
    const invalid: readonly (readonly [string, unknown])[] = [
      ['pattern is null', null],
      ['pattern is an array', [{ source: ['aws.ec2'] }]],
      ['pattern is a string', '{"source":["aws.ec2"]}'],
      ['pattern is an empty object', {}],
      ['leaf value is a string, not an array', { source: 'aws.ec2' }],
      ['leaf value is a number', { detail: { count: 5 } }],
      ['leaf value is null', { detail: { count: null } }],
      ['empty array', { source: [] }],
      ['empty nested object', { detail: {} }],
      ['nested array in a value list', { source: [['aws.ec2']] }],
      ['unknown operator', { source: [{ contains: 'ec2' }] }],
      ['empty operator object', { source: [{}] }],
      ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }],
      ['prefix is a number', { source: [{ prefix: 5 }] }],
      ['prefix object with another operator', { source: [{ prefix: { wildcard: 'a*' } }] }],
      ['prefix equals-ignore-case with a number', { source: [{ prefix: { 'equals-ignore-case': 1 } }] }],
      ['suffix is null', { source: [{ suffix: null }] }],
      ['equals-ignore-case is a list', { source: [{ 'equals-ignore-case': ['a'] }] }],
      ['anything-but null', { state: [{ 'anything-but': null }] }],
      ['anything-but boolean', { state: [{ 'anything-but': true }] }],
      ['anything-but empty list', { state: [{ 'anything-but': [] }] }],
      ['anything-but mixed list', { state: [{ 'anything-but': ['a', 1] }] }],
      ['anything-but list with null', { state: [{ 'anything-but': ['a', null] }] }],
      ['anything-but numeric', { state: [{ 'anything-but': { numeric: ['>', 1] } }] }],
      ['anything-but empty prefix', { state: [{ 'anything-but': { prefix: '' } }] }],
      ['anything-but prefix number', { state: [{ 'anything-but': { prefix: 1 } }] }],
      ['anything-but invalid wildcard', { state: [{ 'anything-but': { wildcard: 'a**' } }] }],
      ['numeric not an array', { n: [{ numeric: '>5' }] }],
      ['numeric empty', { n: [{ numeric: [] }] }],
      ['numeric unknown operator', { n: [{ numeric: ['!=', 5] }] }],
      ['numeric operand is a string', { n: [{ numeric: ['>', '5'] }] }],
      ['numeric equals with extra terms', { n: [{ numeric: ['=', 1, '<', 2] }] }],
      ['numeric upper bound first', { n: [{ numeric: ['<', 5, '>', 1] }] }],
      ['numeric range missing its top', { n: [{ numeric: ['>', 0, '<'] }] }],
      ['numeric range with two lower bounds', { n: [{ numeric: ['>', 0, '>=', 5] }] }],
      ['numeric range bottom above top', { n: [{ numeric: ['>', 10, '<', 5] }] }],
      ['numeric range bottom equal to top', { n: [{ numeric: ['>=', 5, '<=', 5] }] }],
      ['exists with a string', { n: [{ exists: 'true' }] }],
      ['cidr without a mask', { ip: [{ cidr: '10.0.0.0' }] }],
      ['cidr mask above 32', { ip: [{ cidr: '10.0.0.0/33' }] }],
      ['cidr mask that is not a number', { ip: [{ cidr: '10.0.0.0/x' }] }],
      ['cidr with an invalid IPv4 address', { ip: [{ cidr: '300.0.0.0/8' }] }],
      ['cidr with an invalid IPv6 address', { ip: [{ cidr: '2001:db8:::1/64' }] }],
      ['cidr IPv6 mask above 128', { ip: [{ cidr: '2001:db8::/129' }] }],
      ['cidr is a number', { ip: [{ cidr: 10 }] }],
      ['wildcard with consecutive wildcards', { key: [{ wildcard: 'a**b' }] }],
      ['wildcard escaping another character', { key: [{ wildcard: 'a\\b' }] }],
      ['wildcard ending with a lone backslash', { key: [{ wildcard: 'ab\\' }] }],
      ['wildcard is a number', { key: [{ wildcard: 1 }] }],
      ['$or is an object', { $or: { a: ['x'], b: ['y'] } }],
      ['$or with one alternative', { $or: [{ a: ['x'] }] }],
      ['$or empty', { detail: { $or: [] } }],
      ['$or with a non-object alternative', { $or: [{ a: ['x'] }, ['b']] }],
      ['$or with an empty alternative', { $or: [{ a: ['x'] }, {}] }],
      ['$or alternative using an operator name as a field', { $or: [{ numeric: [1] }, { prefix: ['a'] }] }],
      ['$or over 1000 combinations (6 x 6 x 6 x 6)', tooManyOrs],
      ['a value that is not JSON', { source: [undefined] }],
    ];

    it.each(invalid)('rejects: %s', (_name, pattern) => {
      expect(() => validateEventPattern(pattern)).toThrow(InvalidEventPatternError);
    });

    it('names the error and points at the offending JSON path', () => {
      const attempt = (): void =>
        validateEventPattern({ detail: { 'x-limit': [{ numeric: ['>', 'five'] }] } });
      expect(attempt).toThrow(/\$\.detail\["x-limit"\]\[0\]\.numeric\[1\]/);
      try {
        attempt();
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidEventPatternError);
        expect((error as InvalidEventPatternError).name).toBe('InvalidEventPatternError');
        expect((error as InvalidEventPatternError).path).toBe('$.detail["x-limit"][0].numeric[1]');
      }
    });

    it('matchesEventPattern throws on an invalid pattern rather than silently not matching', () => {
      expect(() => matchesEventPattern({ source: 'aws.ec2' }, { source: 'aws.ec2' })).toThrow(
        InvalidEventPatternError,
      );
    });

    it('accepts valid edge cases: 1000 $or combinations, /0 and /31 masks, escaped wildcards', () => {
      const thousand = Object.fromEntries(
        ['a', 'b', 'c'].map((key) => [
          key,
          { $or: Array.from({ length: 10 }, (_, n) => ({ [`f${n}`]: [n] })) },
        ]),
      );
      expect(() => validateEventPattern(thousand)).not.toThrow();
      expect(() =>
        validateEventPattern({ ip: [{ cidr: '0.0.0.0/0' }, { cidr: '10.0.0.0/31' }] }),
      ).not.toThrow();
      expect(() => validateEventPattern({ key: [{ wildcard: '\\**\\\\' }] })).not.toThrow();
    });
  });

  describe('properties', () => {
    const docPatterns = cases.map((c) => c.pattern);

    it('validation either accepts a JSON value or throws InvalidEventPatternError', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (candidate) => {
          try {
            validateEventPattern(candidate);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidEventPatternError);
          }
        }),
      );
    });

    it('matching never throws on arbitrary JSON events for valid patterns', () => {
      fc.assert(
        fc.property(fc.constantFrom(...docPatterns), fc.jsonValue(), (pattern, event) => {
          expect(typeof matchesEventPattern(pattern, event)).toBe('boolean');
          expect(typeof matchesEventPattern(pattern, { detail: event, source: event })).toBe('boolean');
        }),
      );
    });

    // Builds {key: [leaf]} / nested objects from an event's own leaf values; arrays offer their first leaf.
    const patternFrom = (value: Record<string, unknown>): Record<string, unknown> => {
      const pattern: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        if (key === '$or') continue;
        if (child === null || typeof child !== 'object') pattern[key] = [child];
        else if (Array.isArray(child)) {
          const leaf = child.find((item) => item === null || typeof item !== 'object');
          if (leaf !== undefined) pattern[key] = [leaf];
        } else {
          const nested = patternFrom(child as Record<string, unknown>);
          if (Object.keys(nested).length > 0) pattern[key] = nested;
        }
      }
      return pattern;
    };

    it("a pattern built from an event's own leaf values matches that event", () => {
      const jsonObject = fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 });
      fc.assert(
        fc.property(jsonObject, (event) => {
          const pattern = patternFrom(event);
          fc.pre(Object.keys(pattern).length > 0);
          expect(matchesEventPattern(pattern, event)).toBe(true);
        }),
      );
    });

    it('anything-but on a leaf value never matches the event it was taken from', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), (leaf) => {
          const event = { detail: { field: leaf } };
          expect(matchesEventPattern({ detail: { field: [leaf] } }, event)).toBe(true);
          expect(matchesEventPattern({ detail: { field: [{ 'anything-but': leaf }] } }, event)).toBe(false);
        }),
      );
    });
  });
});
