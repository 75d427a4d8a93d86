"""paho-mqtt over WebSocket (ws://127.0.0.1:PORT/mqtt, or wss:// when a CA file is given): at
3.1.1 and 5.0, a subscriber at QoS 1 gets a publisher's QoS 0 and QoS 1 messages in order at their
QoS, and its own QoS 1 message back.

Usage: ws_round_trip.py PORT [CAFILE]
"""
import sys

import paho.mqtt.client as mqtt

from common import Peer, check, fail, run


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: %s PORT [CAFILE]" % sys.argv[0])
    broker = int(sys.argv[1])
    cafile = sys.argv[2] if len(sys.argv) == 3 else None
    scheme = "wss" if cafile else "ws"
    for protocol in (mqtt.MQTTv311, mqtt.MQTTv5):
        topic = "paho/%s/%d" % (scheme, protocol)
        sub = Peer("paho-%s-sub-%d" % (scheme, protocol), protocol, clean_session=True,
                   websocket=True, cafile=cafile)
        sub.connect(broker)
        sub.subscribe(topic + "/#", 1)
        pub = Peer("paho-%s-pub-%d" % (scheme, protocol), protocol, clean_session=True,
                   websocket=True, cafile=cafile)
        pub.connect(broker)
        pub.publish(topic + "/a", b"at qos 0", 0)
        pub.publish(topic + "/b", b"at qos 1", 1)
        sub.publish(topic + "/own", b"own message", 1)
        for name, payload, qos in (("a", b"at qos 0", 0), ("b", b"at qos 1", 1),
                                   ("own", b"own message", 1)):
            m = sub.next_message("message on %s/%s" % (topic, name))
            check(m.topic == topic + "/" + name, "expected %s/%s, got %s" % (topic, name, m.topic))
            check(m.payload == payload, "%s carries %r" % (m.topic, m.payload))
            check(m.qos == qos, "%s arrived at QoS %d, not %d" % (m.topic, m.qos, qos))
        pub.disconnect()
        sub.disconnect()
        check(sub.messages.empty(), "unexpected messages: %r" % sub.messages.queue)


run(main)
