// @serialport/binding-mock ships types, but its package.json "exports" hides them from NodeNext
// resolution; this declares the part the tests and bench:kiosk use (here, so both builds see it).
declare module '@serialport/binding-mock' {
  export interface MockPortBinding {
    readonly isOpen: boolean;
    close(): Promise<void>;
    read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
    write(buffer: Buffer): Promise<void>;
    set(options: Record<string, boolean>): Promise<void>;
    flush(): Promise<void>;
    emitData(data: Buffer | string): void;
  }
  export const MockBinding: {
    reset(): void;
    createPort(path: string, options?: { echo?: boolean; record?: boolean; maxReadSize?: number }): void;
    open(options: { path: string; baudRate: number; [key: string]: unknown }): Promise<MockPortBinding>;
  };
}
