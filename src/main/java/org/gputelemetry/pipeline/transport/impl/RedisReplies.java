package org.gputelemetry.pipeline.transport.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gputelemetry.pipeline.transport.CrossClusterLatency;

/**
 * Reads the RESP2 replies of the stream commands the bridge uses. RESP2 is asked for explicitly
 * ({@link RedisLink#options}), so every reply is a plain nested array. Stateless.
 */
final class RedisReplies {

  /**
   * One stream entry; {@code payload} is null when the entry was trimmed away or has no payload
   * field. {@code sourceCluster} and {@code sentMicros} are the sender's stamp, null and -1 in an
   * entry of a sender older than the stamp.
   */
  record Entry(String id, Buffer payload, String sourceCluster, long sentMicros) {
    Entry(String id, Buffer payload) {
      this(id, payload, null, -1);
    }
  }

  /** One pending entry as {@code XPENDING ... IDLE} lists it. */
  record Pending(String id, String consumer, long idleMs, long deliveries) {
  }

  /** One consumer of the group as {@code XINFO CONSUMERS} lists it. */
  record Consumer(String name, long pending, long idleMs) {
  }

  private RedisReplies() {
  }

  /** Entries of an {@code XREADGROUP} reply for one stream (empty on a timed-out block). */
  static List<Entry> readGroup(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of();
    }
    return entries(reply.get(0).get(1));
  }

  /** Entries of an {@code XAUTOCLAIM} reply ({@code [cursor, entries, deleted ids]}). */
  static List<Entry> autoClaimed(Response reply) {
    return reply == null || reply.size() < 2 ? List.of() : entries(reply.get(1));
  }

  /** An array of {@code [id, [field, value, ...]]} (the shape of XRANGE, XCLAIM and XREADGROUP's inner list). */
  static List<Entry> entries(Response list) {
    if (list == null) {
      return List.of();
    }
    List<Entry> out = new ArrayList<>(list.size());
    for (Response entry : list) {
      if (entry == null) {
        continue;
      }
      Response fields = entry.size() > 1 ? entry.get(1) : null;
      Buffer cluster = field(fields, RedisStreamTransport.CLUSTER_FIELD);
      Buffer sent = field(fields, RedisStreamTransport.SENT_FIELD);
      out.add(new Entry(entry.get(0).toString(), field(fields, RedisStreamTransport.PAYLOAD_FIELD),
          cluster == null ? null : cluster.toString(), CrossClusterLatency.micros(sent == null ? null : sent.toString())));
    }
    return out;
  }

  private static Buffer field(Response fields, String name) {
    if (fields == null) {
      return null;
    }
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (name.equals(fields.get(i).toString())) {
        Response v = fields.get(i + 1);
        return v == null ? null : v.toBuffer();
      }
    }
    return null;
  }

  /** The extended form of {@code XPENDING}: {@code [[id, consumer, idle ms, deliveries], ...]}. */
  static List<Pending> pending(Response reply) {
    if (reply == null) {
      return List.of();
    }
    List<Pending> out = new ArrayList<>(reply.size());
    for (Response p : reply) {
      out.add(new Pending(p.get(0).toString(), p.get(1).toString(), p.get(2).toLong(), p.get(3).toLong()));
    }
    return out;
  }

  /**
   * From an {@code XINFO GROUPS} reply, the group's backlog: entries not yet delivered ({@code lag})
   * plus delivered and not acknowledged ({@code pending}). Redis reports no lag when it cannot tell
   * (after deletions inside the stream); then only {@code pending} counts. Null if there is no such group.
   */
  static Long groupBacklog(Response reply, String group) {
    if (reply == null) {
      return null;
    }
    for (Response g : reply) {
      Map<String, Response> info = pairs(g);
      Response name = info.get("name");
      if (name != null && group.equals(name.toString())) {
        Response pending = info.get("pending");
        Response lag = info.get("lag");
        return (pending == null ? 0 : pending.toLong()) + (lag == null ? 0 : lag.toLong());
      }
    }
    return null;
  }

  /** An {@code XINFO CONSUMERS} reply. */
  static List<Consumer> consumers(Response reply) {
    if (reply == null) {
      return List.of();
    }
    List<Consumer> out = new ArrayList<>(reply.size());
    for (Response c : reply) {
      Map<String, Response> info = pairs(c);
      out.add(new Consumer(info.get("name").toString(), info.get("pending").toLong(), info.get("idle").toLong()));
    }
    return out;
  }

  /** A RESP2 flat {@code [key, value, key, value, ...]} array as a map. */
  private static Map<String, Response> pairs(Response flat) {
    Map<String, Response> out = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put(flat.get(i).toString(), flat.get(i + 1));
    }
    return out;
  }
}
