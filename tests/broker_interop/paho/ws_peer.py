"""One paho-mqtt 5.0 client over WebSocket (ws://127.0.0.1:PORT/mqtt), for tests that pair it
with a client on another listener of the same broker.

Usage: ws_peer.py PORT pub TOPIC PAYLOAD QOS   publishes one message and waits for its ack
       ws_peer.py PORT sub TOPIC COUNT         subscribes at QoS 1, prints "subscribed", then
                                               "QOS TOPIC PAYLOAD" for each of COUNT messages
"""
import sys

import paho.mqtt.client as mqtt

from common import Peer, fail, run


def main():
    args = sys.argv[1:]
    if len(args) == 5 and args[1] == "pub":
        peer = Peer("paho-ws-pub", mqtt.MQTTv5, websocket=True)
        peer.connect(int(args[0]))
        peer.publish(args[2], args[3].encode(), int(args[4]))
    elif len(args) == 4 and args[1] == "sub":
        peer = Peer("paho-ws-sub", mqtt.MQTTv5, websocket=True)
        peer.connect(int(args[0]))
        peer.subscribe(args[2], 1)
        print("subscribed", flush=True)
        for k in range(int(args[3])):
            m = peer.next_message("message %d" % k)
            print("%d %s %s" % (m.qos, m.topic, m.payload.decode()), flush=True)
    else:
        fail("usage: %s PORT pub TOPIC PAYLOAD QOS | PORT sub TOPIC COUNT" % sys.argv[0])
    peer.disconnect()


run(main)
