/** Server time in epoch seconds: real time, or frozen / shifted by tests. */
export class SimClock {
	private frozenAt: number | null = null;
	private offset = 0;

	now(): number {
		return this.frozenAt ?? Math.floor(Date.now() / 1000) + this.offset;
	}

	freeze(epochSeconds?: number): void {
		this.frozenAt = epochSeconds ?? this.now();
	}

	advance(seconds: number): void {
		if (this.frozenAt !== null) this.frozenAt += seconds;
		else this.offset += seconds;
	}

	unfreeze(): void {
		if (this.frozenAt !== null) this.offset = this.frozenAt - Math.floor(Date.now() / 1000);
		this.frozenAt = null;
	}

	isFrozen(): boolean {
		return this.frozenAt !== null;
	}
}
