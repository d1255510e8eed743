// UPS numbers whose check digit holds: each a different parcel.
export const LABELS = ['1Z999AA10123456784', '1Z879E930346834440', '1Z5R89390357567127', '1Z12345E0112345675', '1Z999AA11000000005'];

