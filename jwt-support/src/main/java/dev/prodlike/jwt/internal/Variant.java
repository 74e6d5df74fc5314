package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.Attack;

/** One crafted token of an attack: what {@link Crafter} makes and {@link AttackSuite} sends to the validator. */
final class Variant {
    final Attack attack;
    final String name;
    final String token;

    Variant(Attack attack, String name, String token) {
        this.attack = attack;
        this.name = name;
        this.token = token;
    }
}
