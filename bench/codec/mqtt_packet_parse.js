// Times mqtt-packet (the parser of MQTT.js) on a file of MQTT 3.1.1 packets fed in 65,000-byte
// chunks, as a socket would hand them over. Prints key=value lines for compare_mqtt_packet.sh.
// Usage: node mqtt_packet_parse.js FILE [REPETITIONS]
'use strict';

const fs = require('fs');
const path = require('path');
const mqtt = require('mqtt-packet');

const chunk_size = 65000;  // as codec_bench: not a multiple of 64, so packets straddle chunks

// FNV-1a, 32 bits, as codec_bench computes it: proves both sides parsed the same bytes.
function fnv1a32(data) {
    let h = 0x811c9dc5;
    for (let i = 0; i < data.length; i++) {
        h ^= data[i];
        h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
}

function parse_once(chunks) {
    const parser = mqtt.parser({ protocolVersion: 4 });
    let packets = 0;
    let failure = null;
    parser.on('packet', () => { packets++; });
    parser.on('error', (e) => { failure = failure || e; });
    const start = process.hrtime.bigint();
    for (const c of chunks) parser.parse(c);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (failure) throw failure;
    return { packets, seconds };
}

function main() {
    const file = process.argv[2];
    const repetitions = Number(process.argv[3] || 5);
    if (!file || !(repetitions > 0)) {
        console.error('usage: node mqtt_packet_parse.js FILE [REPETITIONS]');
        process.exit(2);
    }
    const data = fs.readFileSync(file);
    // Each read of a socket is a Buffer of its own; slices share the file's memory.
    const chunks = [];
    for (let pos = 0; pos < data.length; pos += chunk_size) {
        chunks.push(data.subarray(pos, Math.min(pos + chunk_size, data.length)));
    }
    const version = JSON.parse(fs.readFileSync(
        path.join(path.dirname(require.resolve('mqtt-packet')), 'package.json'), 'utf8')).version;

    const seconds = [];
    let packets = -1;
    for (let i = 0; i < repetitions; i++) {
        const run = parse_once(chunks);
        if (packets >= 0 && run.packets !== packets) throw new Error('packet count changed');
        packets = run.packets;
        seconds.push(run.seconds);
    }
    const best = Math.min(...seconds);
    console.log(`mqtt_packet_version=${version}`);
    console.log(`node_version=${process.version}`);
    console.log(`bytes=${data.length}`);
    console.log(`fnv1a32=${fnv1a32(data).toString(16).padStart(8, '0')}`);
    console.log(`packets=${packets}`);
    console.log(`run_seconds=${seconds.map((t) => t.toFixed(3)).join(',')}`);
    console.log(`best_seconds=${best}`);
    console.log(`packets_per_second=${packets / best}`);
    console.log(`mb_per_second=${data.length / best / 1e6}`);
}

main();
