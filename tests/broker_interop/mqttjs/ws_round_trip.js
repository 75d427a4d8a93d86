// MQTT.js (npm package mqtt, pinned in package.json) against a broker's WebSocket listener, for
// the broker interop tests. At the given protocol version it connects to URL, subscribes to
// <base>/# at QoS 1, gets its own QoS 0 and QoS 1 messages back at their QoS, prints "ready",
// then waits for <base>/from-tcp (which the test publishes through another listener) and
// publishes "to tcp" on <base>/to-tcp at QoS 1. Prints "ok" and exits 0, or prints
// "FAILED: ..." and exits 1; every wait is bounded by 10 s.
//
// Usage: node ws_round_trip.js URL VERSION BASE_TOPIC [CAFILE]   (VERSION 4 or 5; CAFILE: wss)
'use strict';
const fs = require('fs');
const mqtt = require('mqtt');

const TIMEOUT_MS = 10000;
const [url, version, base, cafile] = process.argv.slice(2);
if (!url || !['4', '5'].includes(version) || !base) {
  console.log('FAILED: usage: node ws_round_trip.js URL 4|5 BASE_TOPIC [CAFILE]');
  process.exit(1);
}

function fail(message) {
  console.log('FAILED: ' + message);
  process.exit(1);
}

const received = [];
let waiter = null;
// The next message, or a failure after TIMEOUT_MS.
function nextMessage(what) {
  if (received.length > 0) return Promise.resolve(received.shift());
  return new Promise((resolve) => {
    const timer = setTimeout(() => fail(`no ${what} within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    waiter = (m) => { clearTimeout(timer); waiter = null; resolve(m); };
  });
}

async function expectMessage(topic, payload, qos) {
  const m = await nextMessage('message on ' + topic);
  if (m.topic !== topic || m.payload !== payload || m.qos !== qos)
    fail(`expected ${qos} ${topic} ${payload}, got ${m.qos} ${m.topic} ${m.payload}`);
}

async function main() {
  const options = {
    protocolVersion: Number(version),
    clientId: `mqttjs-v${version}-${process.pid}`,
    clean: true,
    connectTimeout: TIMEOUT_MS,
    reconnectPeriod: 0, // a lost connection stays lost
  };
  if (cafile) options.ca = fs.readFileSync(cafile);
  const client = await mqtt.connectAsync(url, options);
  client.on('message', (topic, payload, packet) => {
    const m = { topic, payload: payload.toString(), qos: packet.qos };
    if (waiter) waiter(m);
    else received.push(m);
  });
  client.on('close', () => { if (!client.disconnecting) fail('the connection closed'); });

  const granted = await client.subscribeAsync(base + '/#', { qos: 1 });
  if (granted.length !== 1 || granted[0].qos !== 1)
    fail('SUBACK granted ' + JSON.stringify(granted));
  await client.publishAsync(base + '/own', 'own at qos 0', { qos: 0 });
  await client.publishAsync(base + '/own', 'own at qos 1', { qos: 1 });
  await expectMessage(base + '/own', 'own at qos 0', 0);
  await expectMessage(base + '/own', 'own at qos 1', 1);
  console.log('ready');

  await expectMessage(base + '/from-tcp', 'from tcp', 1);
  await client.publishAsync(base + '/to-tcp', 'to tcp', { qos: 1 });
  await expectMessage(base + '/to-tcp', 'to tcp', 1); // subscribed to base/# too
  await client.endAsync();
  if (received.length > 0) fail('unexpected messages: ' + JSON.stringify(received));
  console.log('ok');
}

const watchdog = setTimeout(() => fail('still running after 30 s'), 30000);
main().then(() => clearTimeout(watchdog), (e) => fail(String(e && e.stack ? e.stack : e)));
